package lake

import (
	"context"
	"strings"

	"github.com/ctlake/ctlake"
)

// AddTags adds tags to a store, replacing the value of keys it already has.
func (s *Service) AddTags(ctx context.Context, resourceID string, tags []ctlake.Tag) error {
	if err := ctlake.ValidateTags(tags); err != nil {
		return err
	}
	return s.updateTags(ctx, resourceID, func(eds *ctlake.EventDataStore) error {
		merged := ctlake.MergeTags(eds.Tags, tags)
		if len(merged) > ctlake.MaxTagsPerResource {
			return ctlake.Errorf(ctlake.TagsLimitExceededException,
				"The event data store %s would have %d tags; a resource has at most %d.", eds.Name, len(merged), ctlake.MaxTagsPerResource)
		}
		eds.Tags = merged
		return nil
	})
}

// RemoveTags removes tags by key; their values are not compared.
func (s *Service) RemoveTags(ctx context.Context, resourceID string, tags []ctlake.Tag) error {
	if err := ctlake.ValidateTags(tags); err != nil {
		return err
	}
	return s.updateTags(ctx, resourceID, func(eds *ctlake.EventDataStore) error {
		eds.Tags = ctlake.RemoveTagKeys(eds.Tags, tags)
		return nil
	})
}

// ListTags returns the tags of each resource, in the order asked.
func (s *Service) ListTags(ctx context.Context, resourceIDs []string) ([]ctlake.ResourceTags, error) {
	if len(resourceIDs) > ctlake.MaxListTagsResources {
		return nil, ctlake.Errorf(ctlake.InvalidParameterException,
			"%d resources given; ListTags takes at most %d.", len(resourceIDs), ctlake.MaxListTagsResources)
	}
	out := make([]ctlake.ResourceTags, 0, len(resourceIDs))
	for _, arn := range resourceIDs {
		if err := checkTaggable(arn); err != nil {
			return nil, err
		}
		err := s.view(ctx, arn, func(_ ctlake.Tx, eds *ctlake.EventDataStore) error {
			if eds.Status == ctlake.StatusPendingDeletion {
				return inactive(eds)
			}
			out = append(out, ctlake.ResourceTags{ResourceID: arn, Tags: eds.Tags})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) updateTags(ctx context.Context, arn string, fn func(*ctlake.EventDataStore) error) error {
	if err := checkTaggable(arn); err != nil {
		return err
	}
	return s.update(ctx, arn, func(_ ctlake.Tx, eds *ctlake.EventDataStore) error {
		if eds.Status == ctlake.StatusPendingDeletion {
			return inactive(eds)
		}
		return fn(eds)
	})
}

// checkTaggable accepts the ARN of an event data store. Tagging takes ARNs
// only (not bare ids); CloudTrail resources ctlake does not serve (trails,
// channels, dashboards) are ResourceTypeNotSupportedException.
func checkTaggable(arn string) error {
	a, ok := ctlake.ParseARN(arn)
	if !ok || a.Service != "cloudtrail" {
		return ctlake.Errorf(ctlake.CloudTrailARNInvalidException,
			"'%s' is not a CloudTrail ARN; tag an event data store by its ARN, arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>.", arn)
	}
	kind, _, _ := strings.Cut(a.Resource, "/")
	switch kind {
	case "eventdatastore":
		return nil
	case "trail", "channel", "dashboard":
		return ctlake.Errorf(ctlake.ResourceTypeNotSupportedException,
			"ctlake serves event data stores only; a %s cannot be tagged here.", kind)
	}
	return ctlake.Errorf(ctlake.CloudTrailARNInvalidException,
		"'%s' does not name a CloudTrail resource (eventdatastore/, trail/, channel/ or dashboard/).", arn)
}
