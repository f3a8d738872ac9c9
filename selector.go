package ctlake

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// AdvancedEventSelector decides which events a store collects (spec §5.3).
// ctlake keeps and validates selectors so that configurations written for
// AWS round-trip; imports ignore them, as AWS's do (spec §4.7).
type AdvancedEventSelector struct {
	Name           string
	FieldSelectors []AdvancedFieldSelector
}

// AdvancedFieldSelector is one condition of a selector.
type AdvancedFieldSelector struct {
	Field         string
	Equals        []string
	StartsWith    []string
	EndsWith      []string
	NotEquals     []string
	NotStartsWith []string
	NotEndsWith   []string
}

// DefaultSelectors is what a store gets when it is created without
// selectors: all management events (spec §5.2).
func DefaultSelectors() []AdvancedEventSelector {
	return []AdvancedEventSelector{{
		Name:           "Default management events",
		FieldSelectors: []AdvancedFieldSelector{{Field: "eventCategory", Equals: []string{"Management"}}},
	}}
}

// Selector limits (spec §5.3).
const (
	maxSelectors       = 5
	maxConditionValues = 500
)

var fieldPattern = regexp.MustCompile(`^[\w|\d|.|_]+$`)

// fieldsByCategory lists the fields a selector of each event category may
// test (AWS CloudTrail user guide, advanced event selectors for event data
// stores).
var fieldsByCategory = map[string][]string{
	"Management":        {"eventCategory", "eventSource", "readOnly", "eventName", "eventType", "sessionCredentialFromConsole", "userIdentity.arn"},
	"Data":              {"eventCategory", "resources.type", "readOnly", "eventName", "resources.ARN", "eventSource", "eventType", "sessionCredentialFromConsole", "userIdentity.arn"},
	"NetworkActivity":   {"eventCategory", "eventSource", "eventName", "errorCode", "vpcEndpointId"},
	"Insight":           {"eventCategory"},
	"ConfigurationItem": {"eventCategory"},
	"Evidence":          {"eventCategory"},
	"ActivityAuditLog":  {"eventCategory", "eventData.channelArn"},
}

// requiredFields lists the fields beyond eventCategory that a selector of
// the category must test.
var requiredFields = map[string]string{
	"Data":            "resources.type",
	"NetworkActivity": "eventSource",
}

// equalsOnlyFields may only be tested with Equals.
var equalsOnlyFields = []string{"eventCategory", "readOnly", "resources.type"}

// isCloudTrailCategory reports whether events of category c are CloudTrail
// events, which one store may mix.
func isCloudTrailCategory(c string) bool {
	return c == "Management" || c == "Data" || c == "NetworkActivity"
}

// ValidateSelectors returns InvalidEventSelectorsException, naming the first
// problem, unless sels is a valid selector list for one store.
func ValidateSelectors(sels []AdvancedEventSelector) error {
	fail := func(format string, args ...any) error {
		return Errorf(InvalidEventSelectorsException, "The advanced event selectors are not valid: "+format, args...)
	}
	if len(sels) == 0 {
		return fail("give at least one selector, or leave AdvancedEventSelectors out for the default (all management events).")
	}
	if len(sels) > maxSelectors {
		return fail("%d selectors given; a store has at most %d.", len(sels), maxSelectors)
	}
	values := 0
	var categories []string
	for i, sel := range sels {
		where := fmt.Sprintf("selector %d", i+1)
		if sel.Name != "" {
			where = fmt.Sprintf("selector %d (%q)", i+1, sel.Name)
		}
		if len([]rune(sel.Name)) > 1000 {
			return fail("%s: the name is longer than 1000 characters.", where)
		}
		if len(sel.FieldSelectors) == 0 {
			return fail("%s has no field selectors.", where)
		}
		category := ""
		seen := map[string]bool{}
		for _, fs := range sel.FieldSelectors {
			if fs.Field == "" || len(fs.Field) > 1000 || !fieldPattern.MatchString(fs.Field) {
				return fail("%s: %q is not a valid field name.", where, fs.Field)
			}
			if seen[fs.Field] {
				return fail("%s tests the field %s twice; put all its conditions in one field selector.", where, fs.Field)
			}
			seen[fs.Field] = true
			ops := fs.operators()
			if len(ops) == 0 {
				return fail("%s: the field %s has no condition (Equals, StartsWith, EndsWith, NotEquals, NotStartsWith or NotEndsWith).", where, fs.Field)
			}
			for _, o := range ops {
				op, vals := o.name, o.values
				if slices.Contains(equalsOnlyFields, fs.Field) && op != "Equals" {
					return fail("%s: the field %s can only be tested with Equals, not %s.", where, fs.Field, op)
				}
				if len(vals) == 0 {
					return fail("%s: the field %s has an empty %s list.", where, fs.Field, op)
				}
				for _, v := range vals {
					if v == "" || len([]rune(v)) > 2048 {
						return fail("%s: the field %s has a %s value that is empty or longer than 2048 characters.", where, fs.Field, op)
					}
				}
				values += len(vals)
			}
			if fs.Field == "eventCategory" {
				if len(fs.Equals) != 1 {
					return fail("%s: eventCategory must equal exactly one category.", where)
				}
				category = fs.Equals[0]
			}
			if fs.Field == "readOnly" {
				for _, v := range fs.Equals {
					if v != "true" && v != "false" {
						return fail("%s: readOnly must equal \"true\" or \"false\", not %q.", where, v)
					}
				}
			}
		}
		if category == "" {
			return fail("%s does not test eventCategory, which every selector must.", where)
		}
		allowed, known := fieldsByCategory[category]
		if !known {
			return fail("%s: %q is not an event category (Management, Data, NetworkActivity, Insight, ConfigurationItem, Evidence, ActivityAuditLog).", where, category)
		}
		for _, fs := range sel.FieldSelectors {
			if !slices.Contains(allowed, fs.Field) {
				return fail("%s: the field %s cannot be used with eventCategory %s (allowed: %s).", where, fs.Field, category, strings.Join(allowed, ", "))
			}
		}
		if req, ok := requiredFields[category]; ok && !seen[req] {
			return fail("%s: selectors of %s events must test %s.", where, category, req)
		}
		categories = append(categories, category)
	}
	if values > maxConditionValues {
		return fail("%d condition values in all; a store has at most %d.", values, maxConditionValues)
	}
	for _, c := range categories[1:] {
		if c != categories[0] && !(isCloudTrailCategory(c) && isCloudTrailCategory(categories[0])) {
			return fail("one store cannot mix %s and %s events; only Management, Data and NetworkActivity selectors can share a store.", categories[0], c)
		}
	}
	return nil
}

// fieldOperator is one condition list of a field selector.
type fieldOperator struct {
	name   string
	values []string
}

// operators returns the condition lists given, in the model's order, so
// that the first problem named is the same on every run.
func (fs AdvancedFieldSelector) operators() []fieldOperator {
	var ops []fieldOperator
	for _, op := range []fieldOperator{
		{"Equals", fs.Equals}, {"StartsWith", fs.StartsWith}, {"EndsWith", fs.EndsWith},
		{"NotEquals", fs.NotEquals}, {"NotStartsWith", fs.NotStartsWith}, {"NotEndsWith", fs.NotEndsWith},
	} {
		if op.values != nil {
			ops = append(ops, op)
		}
	}
	return ops
}

// selectorsCategory returns "CloudTrail" for selectors of CloudTrail events
// (management, data, network activity), else the one category they select.
func selectorsCategory(sels []AdvancedEventSelector) string {
	for _, sel := range sels {
		for _, fs := range sel.FieldSelectors {
			if fs.Field == "eventCategory" && len(fs.Equals) == 1 {
				if isCloudTrailCategory(fs.Equals[0]) {
					return "CloudTrail"
				}
				return fs.Equals[0]
			}
		}
	}
	return "CloudTrail"
}
