package ctlake

import (
	"context"
	"strings"
	"unicode/utf8"
)

// Tag is a key with an optional value. A nil Value is a tag without a value,
// which AWS keeps apart from an empty one.
type Tag struct {
	Key   string
	Value *string
}

// MaxTagsPerResource is the documented limit of tags on one resource (the
// model admits 200 in one list, the service keeps 50).
const MaxTagsPerResource = 50

// MaxListTagsResources is the most resources one ListTags call may name.
const MaxListTagsResources = 20

// ValidateTags returns InvalidTagParameterException unless every tag has a
// key of 1..128 characters that does not start with "aws:", a value of at
// most 256 characters, and no key appears twice.
func ValidateTags(tags []Tag) error {
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		switch n := utf8.RuneCountInString(t.Key); {
		case n == 0:
			return Errorf(InvalidTagParameterException, "A tag key is empty; keys are 1 to 128 characters.")
		case n > 128:
			return Errorf(InvalidTagParameterException, "The tag key '%.40s…' is %d characters long; keys are at most 128.", t.Key, n)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return Errorf(InvalidTagParameterException, "The tag key '%s' starts with 'aws:', a prefix reserved for AWS.", t.Key)
		}
		if t.Value != nil && utf8.RuneCountInString(*t.Value) > 256 {
			return Errorf(InvalidTagParameterException, "The value of tag '%s' is longer than 256 characters.", t.Key)
		}
		if seen[t.Key] {
			return Errorf(InvalidTagParameterException, "The tag key '%s' appears more than once in the request.", t.Key)
		}
		seen[t.Key] = true
	}
	return nil
}

// MergeTags returns tags with add applied: a key already present takes the
// new value in place, a new key is appended.
func MergeTags(tags, add []Tag) []Tag {
	out := append([]Tag(nil), tags...)
	for _, t := range add {
		i := tagIndex(out, t.Key)
		if i >= 0 {
			out[i] = t
		} else {
			out = append(out, t)
		}
	}
	return out
}

// RemoveTagKeys returns tags without the keys of remove (their values are
// ignored, as AWS ignores them).
func RemoveTagKeys(tags, remove []Tag) []Tag {
	out := make([]Tag, 0, len(tags))
	for _, t := range tags {
		if tagIndex(remove, t.Key) < 0 {
			out = append(out, t)
		}
	}
	return out
}

func tagIndex(tags []Tag, key string) int {
	for i, t := range tags {
		if t.Key == key {
			return i
		}
	}
	return -1
}

// ResourceTags are the tags of one resource.
type ResourceTags struct {
	ResourceID string
	Tags       []Tag
}

// TagService tags resources by ARN. Only event data stores are taggable in
// ctlake: an ARN of a trail, channel or dashboard is
// ResourceTypeNotSupportedException, a malformed ARN
// CloudTrailARNInvalidException or EventDataStoreARNInvalidException, an
// unknown store EventDataStoreNotFoundException and a store pending deletion
// InactiveEventDataStoreException.
type TagService interface {
	// AddTags returns InvalidTagParameterException for bad tags and
	// TagsLimitExceededException past 50 tags.
	AddTags(ctx context.Context, resourceID string, tags []Tag) error
	RemoveTags(ctx context.Context, resourceID string, tags []Tag) error
	ListTags(ctx context.Context, resourceIDs []string) ([]ResourceTags, error)
}
