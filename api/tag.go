package api

import (
	"context"

	"github.com/ctlake/ctlake"
)

// TagsInput is the request of AddTags and RemoveTags.
type TagsInput struct {
	ResourceId *string `json:"ResourceId"`
	TagsList   []Tag   `json:"TagsList"`
}

// Validate checks that the resource and the tags are given, each tag with
// a key.
func (in *TagsInput) Validate() error {
	// AddTags and RemoveTags do not declare InvalidParameterException (the
	// Go SDK would not type it), so a missing member is reported with the
	// declared error of its kind.
	if in.ResourceId == nil {
		v := ctlake.Validation{Code: ctlake.CloudTrailARNInvalidException}
		v.Required("resourceId")
		return v.Err()
	}
	if in.TagsList == nil {
		v := ctlake.Validation{Code: ctlake.InvalidTagParameterException}
		v.Required("tagsList")
		return v.Err()
	}
	return checkTagKeys(in.TagsList)
}

func (a *API) addTags(ctx context.Context, in *TagsInput) (any, error) {
	return struct{}{}, a.Tags.AddTags(ctx, *in.ResourceId, tagsFromWire(in.TagsList))
}

func (a *API) removeTags(ctx context.Context, in *TagsInput) (any, error) {
	return struct{}{}, a.Tags.RemoveTags(ctx, *in.ResourceId, tagsFromWire(in.TagsList))
}

// ListTagsInput is the request of ListTags.
type ListTagsInput struct {
	ResourceIdList []string `json:"ResourceIdList"`
	NextToken      *string  `json:"NextToken"`
}

// ResourceTag is one resource's tags in a ListTags response.
type ResourceTag struct {
	ResourceId string `json:"ResourceId"`
	TagsList   []Tag  `json:"TagsList"`
}

// ListTagsOutput is the response of ListTags. It never carries NextToken:
// the token is reserved in the model, and every answer is one page.
type ListTagsOutput struct {
	ResourceTagList []ResourceTag `json:"ResourceTagList"`
}

// Validate checks that the resources are given, and refuses a token:
// ListTags issues none.
func (in *ListTagsInput) Validate() error {
	if in.ResourceIdList == nil {
		return required[string](nil, "resourceIdList")
	}
	if in.NextToken != nil {
		return ctlake.Errorf(ctlake.InvalidTokenException,
			"ListTags answers in one page and issues no NextToken; call it without one.")
	}
	return nil
}

func (a *API) listTags(ctx context.Context, in *ListTagsInput) (any, error) {
	lists, err := a.Tags.ListTags(ctx, in.ResourceIdList)
	if err != nil {
		return nil, err
	}
	out := &ListTagsOutput{ResourceTagList: make([]ResourceTag, len(lists))}
	for i, l := range lists {
		out.ResourceTagList[i] = ResourceTag{ResourceId: l.ResourceID, TagsList: tagsToWire(l.Tags)}
	}
	return out, nil
}
