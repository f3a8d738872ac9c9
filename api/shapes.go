package api

import (
	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// Wire shapes shared by several operations (spec Appendix A.23). Member names
// and JSON spellings are the model's; pointers mark optional members so that
// "absent" and "zero" stay apart, and omitempty leaves absent members out of
// responses, as both SDKs expect.

// AdvancedEventSelector is the wire form of ctlake.AdvancedEventSelector.
type AdvancedEventSelector struct {
	Name           *string                 `json:"Name,omitempty"`
	FieldSelectors []AdvancedFieldSelector `json:"FieldSelectors"`
}

// AdvancedFieldSelector is the wire form of ctlake.AdvancedFieldSelector.
type AdvancedFieldSelector struct {
	Field         string   `json:"Field"`
	Equals        []string `json:"Equals,omitempty"`
	StartsWith    []string `json:"StartsWith,omitempty"`
	EndsWith      []string `json:"EndsWith,omitempty"`
	NotEquals     []string `json:"NotEquals,omitempty"`
	NotStartsWith []string `json:"NotStartsWith,omitempty"`
	NotEndsWith   []string `json:"NotEndsWith,omitempty"`
}

// Tag is the wire form of ctlake.Tag.
type Tag struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value,omitempty"`
}

func selectorsFromWire(in []AdvancedEventSelector) []ctlake.AdvancedEventSelector {
	if in == nil {
		return nil
	}
	out := make([]ctlake.AdvancedEventSelector, len(in))
	for i, s := range in {
		out[i].Name = deref(s.Name)
		out[i].FieldSelectors = make([]ctlake.AdvancedFieldSelector, len(s.FieldSelectors))
		for j, f := range s.FieldSelectors {
			out[i].FieldSelectors[j] = ctlake.AdvancedFieldSelector(f)
		}
	}
	return out
}

func selectorsToWire(in []ctlake.AdvancedEventSelector) []AdvancedEventSelector {
	out := make([]AdvancedEventSelector, len(in))
	for i, s := range in {
		if s.Name != "" {
			out[i].Name = &s.Name
		}
		out[i].FieldSelectors = make([]AdvancedFieldSelector, len(s.FieldSelectors))
		for j, f := range s.FieldSelectors {
			out[i].FieldSelectors[j] = AdvancedFieldSelector(f)
		}
	}
	return out
}

// checkTagKeys refuses a tag without a key (the model requires Key; the Go
// SDK does not check nested required members of every shape).
func checkTagKeys(in []Tag) error {
	for i, t := range in {
		if t.Key == nil {
			return ctlake.Errorf(ctlake.InvalidTagParameterException, "Tag %d has no Key; every tag needs a key of 1 to 128 characters.", i+1)
		}
	}
	return nil
}

// tagsFromWire converts tags that passed checkTagKeys.
func tagsFromWire(in []Tag) []ctlake.Tag {
	out := make([]ctlake.Tag, len(in))
	for i, t := range in {
		out[i] = ctlake.Tag{Key: *t.Key, Value: t.Value}
	}
	return out
}

func tagsToWire(in []ctlake.Tag) []Tag {
	out := make([]Tag, len(in))
	for i, t := range in {
		out[i] = Tag{Key: &t.Key, Value: t.Value}
	}
	return out
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func ptr[T any](v T) *T { return &v }

// timeOf returns the wire form of t, nil when t is zero.
var timeOf = awsjson.NewTime
