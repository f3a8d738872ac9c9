package serializedsql

import "testing"

func TestDecodeNonFinite(t *testing.T) {
	tree, err := Decode(`{"a": Infinity, "b": -Infinity, "c": NaN, "d": "Infinity \" NaN", "e": [1.5, Infinity]}`)
	if err != nil {
		t.Fatal(err)
	}
	if tree["a"] != "Infinity" || tree["b"] != "-Infinity" || tree["c"] != "NaN" || tree["d"] != `Infinity " NaN` {
		t.Errorf("decoded %v", tree)
	}
	if e := tree["e"].([]any); e[0] != 1.5 || e[1] != "Infinity" {
		t.Errorf("decoded list %v", e)
	}
	if _, err := Decode(`{"a": Infinit}`); err == nil {
		t.Error("accepted text that is not JSON")
	}
}
