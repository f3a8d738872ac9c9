package e2e

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

func tagMap(tags []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		v := "<nil>"
		if t.Value != nil {
			v = *t.Value
		}
		m[aws.ToString(t.Key)] = v
	}
	return m
}

func TestTags(t *testing.T) {
	srv := StartServer(t)
	c := srv.Client("us-east-1")
	arn := create(t, c, "tagged", func(in *cloudtrail.CreateEventDataStoreInput) {
		in.TagsList = []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}
	}).EventDataStoreArn
	other := create(t, c, "untagged").EventDataStoreArn

	// AddTags adds new keys and overwrites existing ones; a key may have no value.
	_, err := c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: []types.Tag{
		{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("owner"), Value: aws.String("sec")}, {Key: aws.String("flag")}}})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{*arn, *other}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourceTagList) != 2 || aws.ToString(list.ResourceTagList[0].ResourceId) != *arn || aws.ToString(list.ResourceTagList[1].ResourceId) != *other {
		t.Fatalf("ListTags answered %+v", list.ResourceTagList)
	}
	if got := fmt.Sprint(tagMap(list.ResourceTagList[0].TagsList)); got != "map[env:dev flag:<nil> owner:sec]" {
		t.Errorf("tags after AddTags: %s", got)
	}
	if n := len(list.ResourceTagList[1].TagsList); n != 0 {
		t.Errorf("untagged store has %d tags", n)
	}
	if list.NextToken != nil {
		t.Errorf("ListTags returned a NextToken")
	}

	// RemoveTags removes by key whatever the value.
	if _, err := c.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: arn, TagsList: []types.Tag{{Key: aws.String("env"), Value: aws.String("whatever")}, {Key: aws.String("absent")}}}); err != nil {
		t.Fatal(err)
	}
	if list, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{*arn}}); err != nil || len(list.ResourceTagList) != 1 {
		t.Fatalf("ListTags after RemoveTags: %+v %v", list, err)
	}
	if got := fmt.Sprint(tagMap(list.ResourceTagList[0].TagsList)); got != "map[flag:<nil> owner:sec]" {
		t.Errorf("tags after RemoveTags: %s", got)
	}

	// 50 tags at most on a resource.
	var many []types.Tag
	for i := range 48 {
		many = append(many, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
	}
	if _, err := c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: many}); err != nil {
		t.Fatalf("add up to 50 tags: %v", err)
	}
	_, err = c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: arn, TagsList: []types.Tag{{Key: aws.String("fifty-first")}}})
	wantErr[*types.TagsLimitExceededException](t, "51st tag", err, "The event data store tagged would have 51 tags; a resource has at most 50.")
	_, err = c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: other, TagsList: []types.Tag{{Key: aws.String("a")}, {Key: aws.String("a")}}})
	wantErr[*types.InvalidTagParameterException](t, "duplicate keys in one request", err, "The tag key 'a' appears more than once in the request.")
	_, err = c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: other, TagsList: []types.Tag{{Key: aws.String("")}}})
	wantErr[*types.InvalidTagParameterException](t, "empty key", err, "A tag key is empty; keys are 1 to 128 characters.")
	_, err = c.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: other, TagsList: []types.Tag{{Key: aws.String("aws:x")}}})
	wantErr[*types.InvalidTagParameterException](t, "remove a reserved key", err, "The tag key 'aws:x' starts with 'aws:', a prefix reserved for AWS.")

	// Resources: ARNs only, event data stores only.
	trail := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/management"
	notCloudTrail := func(id string) string {
		return "'" + id + "' is not a CloudTrail ARN; tag an event data store by its ARN, arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>."
	}
	malformed := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":eventdatastore/x"
	unknown := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":eventdatastore/00000000-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		what, id string
		check    func(*testing.T, string, error, string)
		want     string
	}{
		{"trail ARN", trail, wantErr[*types.ResourceTypeNotSupportedException], "ctlake serves event data stores only; a trail cannot be tagged here."},
		{"not an ARN", "not-an-arn", wantErr[*types.CloudTrailARNInvalidException], notCloudTrail("not-an-arn")},
		{"bare store id", idOf(*arn), wantErr[*types.CloudTrailARNInvalidException], notCloudTrail(idOf(*arn))},
		{"ARN of another service", "arn:aws:s3:::bucket", wantErr[*types.CloudTrailARNInvalidException], notCloudTrail("arn:aws:s3:::bucket")},
		{"malformed store ARN", malformed, wantErr[*types.EventDataStoreARNInvalidException],
			"The value '" + malformed + "' is not a valid event data store ARN or id. Give the ARN (arn:aws:cloudtrail:<region>:<account>:eventdatastore/<id>) or the id, a lower-case UUID."},
		{"unknown store", unknown, wantErr[*types.EventDataStoreNotFoundException], "The event data store " + unknown + " was not found in account " + testAccount + ", region us-east-1."},
	} {
		_, err := c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: aws.String(tc.id), TagsList: []types.Tag{{Key: aws.String("k")}}})
		tc.check(t, "AddTags on "+tc.what, err, tc.want)
		_, err = c.RemoveTags(ctx, &cloudtrail.RemoveTagsInput{ResourceId: aws.String(tc.id), TagsList: []types.Tag{{Key: aws.String("k")}}})
		tc.check(t, "RemoveTags on "+tc.what, err, tc.want)
		_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{tc.id}})
		tc.check(t, "ListTags on "+tc.what, err, tc.want)
	}
	ids := make([]string, 21)
	for i := range ids {
		ids[i] = *arn
	}
	_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: ids})
	// ListTags declares no error for this limit; the SDK sees the code untyped.
	if code := errorCode(err); code != "InvalidParameterException" {
		t.Errorf("ListTags of 21 resources: code %q, want InvalidParameterException", code)
	}
	_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{*arn}, NextToken: aws.String("abcd")})
	wantErr[*types.InvalidTokenException](t, "ListTags with a NextToken", err, "ListTags answers in one page and issues no NextToken; call it without one.")

	// A store pending deletion cannot be tagged or listed.
	if _, err := c.DeleteEventDataStore(ctx, &cloudtrail.DeleteEventDataStoreInput{EventDataStore: other}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AddTags(ctx, &cloudtrail.AddTagsInput{ResourceId: other, TagsList: []types.Tag{{Key: aws.String("k")}}})
	wantErr[*types.InactiveEventDataStoreException](t, "AddTags on a store pending deletion", err, "The event data store untagged is pending deletion; restore it with RestoreEventDataStore first.")
	_, err = c.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{*other}})
	wantErr[*types.InactiveEventDataStoreException](t, "ListTags on a store pending deletion", err, "The event data store untagged is pending deletion; restore it with RestoreEventDataStore first.")
}
