package api

import (
	"context"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// ImportSource is the wire form of ctlake.ImportSource.
type ImportSource struct {
	S3 *S3ImportSource `json:"S3"`
}

// S3ImportSource is ImportSource.S3.
type S3ImportSource struct {
	S3LocationUri         *string `json:"S3LocationUri"`
	S3BucketRegion        *string `json:"S3BucketRegion"`
	S3BucketAccessRoleArn *string `json:"S3BucketAccessRoleArn"`
}

// ImportStatistics is the wire form of ctlake.ImportStatistics.
type ImportStatistics struct {
	PrefixesFound     int64 `json:"PrefixesFound"`
	PrefixesCompleted int64 `json:"PrefixesCompleted"`
	FilesCompleted    int64 `json:"FilesCompleted"`
	EventsCompleted   int64 `json:"EventsCompleted"`
	FailedEntries     int64 `json:"FailedEntries"`
}

// ImportDescription is the answer of StartImport, GetImport and StopImport
// (Start has no statistics).
type ImportDescription struct {
	ImportId         string            `json:"ImportId"`
	Destinations     []string          `json:"Destinations"`
	ImportSource     ImportSource      `json:"ImportSource"`
	StartEventTime   *awsjson.Time     `json:"StartEventTime,omitempty"`
	EndEventTime     *awsjson.Time     `json:"EndEventTime,omitempty"`
	ImportStatus     string            `json:"ImportStatus"`
	CreatedTimestamp *awsjson.Time     `json:"CreatedTimestamp,omitempty"`
	UpdatedTimestamp *awsjson.Time     `json:"UpdatedTimestamp,omitempty"`
	ImportStatistics *ImportStatistics `json:"ImportStatistics,omitempty"`
}

func describeImport(im *ctlake.Import, withStats bool) *ImportDescription {
	d := &ImportDescription{
		ImportId:     im.ID,
		Destinations: []string{im.DestinationARN()},
		ImportSource: ImportSource{S3: &S3ImportSource{
			S3LocationUri: &im.Source.S3LocationURI, S3BucketRegion: &im.Source.S3BucketRegion,
			S3BucketAccessRoleArn: &im.Source.S3BucketAccessRoleARN,
		}},
		StartEventTime:   timeOf(im.StartEventTime),
		EndEventTime:     timeOf(im.EndEventTime),
		ImportStatus:     string(im.Status),
		CreatedTimestamp: timeOf(im.CreatedAt),
		UpdatedTimestamp: timeOf(im.UpdatedAt),
	}
	if withStats {
		st := ImportStatistics(im.Statistics)
		d.ImportStatistics = &st
	}
	return d
}

// StartImportInput is the request of StartImport.
type StartImportInput struct {
	Destinations   []string      `json:"Destinations"`
	ImportSource   *ImportSource `json:"ImportSource"`
	StartEventTime *awsjson.Time `json:"StartEventTime"`
	EndEventTime   *awsjson.Time `json:"EndEventTime"`
	ImportId       *string       `json:"ImportId"`
}

// Validate checks the destinations' references and that a source given
// is an S3 source.
func (in *StartImportInput) Validate() error {
	var v ctlake.Validation
	for _, d := range in.Destinations {
		ctlake.ValidateEventDataStoreRef(&v, "destinations.member", d)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if in.ImportSource != nil && in.ImportSource.S3 == nil {
		return required[string](nil, "importSource.s3")
	}
	return nil
}

func (a *API) startImport(ctx context.Context, in *StartImportInput) (any, error) {
	sin := ctlake.StartImportInput{ImportID: deref(in.ImportId), Destinations: in.Destinations}
	if in.ImportSource != nil {
		s3 := in.ImportSource.S3
		sin.Source = &ctlake.ImportSource{S3LocationURI: deref(s3.S3LocationUri), S3BucketRegion: deref(s3.S3BucketRegion), S3BucketAccessRoleARN: deref(s3.S3BucketAccessRoleArn)}
	}
	if in.StartEventTime != nil {
		sin.StartEventTime = &in.StartEventTime.Time
	}
	if in.EndEventTime != nil {
		sin.EndEventTime = &in.EndEventTime.Time
	}
	im, err := a.Imports.StartImport(ctx, sin)
	if err != nil {
		return nil, err
	}
	return describeImport(im, false), nil
}

// ImportRef is the request of GetImport and StopImport.
type ImportRef struct {
	ImportId *string `json:"ImportId"`
}

// Validate checks that the import id is given.
func (in *ImportRef) Validate() error { return required(in.ImportId, "importId") }

func (a *API) getImport(ctx context.Context, in *ImportRef) (any, error) {
	im, err := a.Imports.GetImport(ctx, *in.ImportId)
	if err != nil {
		return nil, err
	}
	return describeImport(im, true), nil
}

// ImportNotes is the answer of GetImportNotes, a ctlake extension: what
// the import's last attempt passed over and why, which the AWS shapes have
// no member for.
type ImportNotes struct {
	ImportId string   `json:"ImportId"`
	Notes    []string `json:"Notes"`
	// RetentionCutoff is the store's retention cut-off when the last
	// attempt started: no event before it was imported.
	RetentionCutoff *awsjson.Time `json:"RetentionCutoff,omitempty"`
}

func (a *API) getImportNotes(ctx context.Context, in *ImportRef) (any, error) {
	if err := required(in.ImportId, "importId"); err != nil {
		return nil, err
	}
	im, err := a.Imports.GetImport(ctx, *in.ImportId)
	if err != nil {
		return nil, err
	}
	return &ImportNotes{ImportId: im.ID, Notes: append([]string{}, im.Notes...), RetentionCutoff: timeOf(im.RetentionCutoff)}, nil
}

func (a *API) stopImport(ctx context.Context, in *ImportRef) (any, error) {
	im, err := a.Imports.StopImport(ctx, *in.ImportId)
	if err != nil {
		return nil, err
	}
	return describeImport(im, true), nil
}

// ListImportsInput is the request of ListImports.
type ListImportsInput struct {
	MaxResults   *int64  `json:"MaxResults"`
	Destination  *string `json:"Destination"`
	ImportStatus *string `json:"ImportStatus"`
	NextToken    *string `json:"NextToken"`
}

// ImportsListItem is an item of ListImports.
type ImportsListItem struct {
	ImportId         string        `json:"ImportId"`
	ImportStatus     string        `json:"ImportStatus"`
	Destinations     []string      `json:"Destinations"`
	CreatedTimestamp *awsjson.Time `json:"CreatedTimestamp,omitempty"`
	UpdatedTimestamp *awsjson.Time `json:"UpdatedTimestamp,omitempty"`
}

// ListImportsOutput is the response of ListImports.
type ListImportsOutput struct {
	Imports   []ImportsListItem `json:"Imports"`
	NextToken *string           `json:"NextToken,omitempty"`
}

// Validate checks the token's length and the destination's reference.
func (in *ListImportsInput) Validate() error {
	if err := ctlake.ValidateNextToken(in.NextToken); err != nil {
		return err
	}
	if in.Destination == nil {
		return nil
	}
	return storeRef(in.Destination, "destination")
}

func (a *API) listImports(ctx context.Context, in *ListImportsInput) (any, error) {
	ims, next, err := a.Imports.ListImports(ctx, ctlake.ListImportsInput{
		Destination: deref(in.Destination), Status: deref(in.ImportStatus),
		Page: ctlake.Page{MaxResults: in.MaxResults, NextToken: in.NextToken},
	})
	if err != nil {
		return nil, err
	}
	out := &ListImportsOutput{Imports: make([]ImportsListItem, len(ims))}
	for i, im := range ims {
		out.Imports[i] = ImportsListItem{ImportId: im.ID, ImportStatus: string(im.Status), Destinations: []string{im.DestinationARN()},
			CreatedTimestamp: timeOf(im.CreatedAt), UpdatedTimestamp: timeOf(im.UpdatedAt)}
	}
	if next != "" {
		out.NextToken = &next
	}
	return out, nil
}

// ListImportFailuresInput is the request of ListImportFailures.
type ListImportFailuresInput struct {
	ImportId   *string `json:"ImportId"`
	MaxResults *int64  `json:"MaxResults"`
	NextToken  *string `json:"NextToken"`
}

// ImportFailureListItem is an item of ListImportFailures.
type ImportFailureListItem struct {
	Location        string        `json:"Location"`
	Status          string        `json:"Status"`
	ErrorType       string        `json:"ErrorType"`
	ErrorMessage    string        `json:"ErrorMessage"`
	LastUpdatedTime *awsjson.Time `json:"LastUpdatedTime,omitempty"`
}

// ListImportFailuresOutput is the response of ListImportFailures.
type ListImportFailuresOutput struct {
	Failures  []ImportFailureListItem `json:"Failures"`
	NextToken *string                 `json:"NextToken,omitempty"`
}

// Validate checks that the import id is given and the token's length.
func (in *ListImportFailuresInput) Validate() error {
	if err := required(in.ImportId, "importId"); err != nil {
		return err
	}
	return ctlake.ValidateNextToken(in.NextToken)
}

func (a *API) listImportFailures(ctx context.Context, in *ListImportFailuresInput) (any, error) {
	fs, next, err := a.Imports.ListImportFailures(ctx, *in.ImportId, ctlake.Page{MaxResults: in.MaxResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	out := &ListImportFailuresOutput{Failures: make([]ImportFailureListItem, len(fs))}
	for i, f := range fs {
		out.Failures[i] = ImportFailureListItem{Location: f.Location, Status: string(f.Status), ErrorType: f.ErrorType,
			ErrorMessage: f.ErrorMessage, LastUpdatedTime: timeOf(f.UpdatedAt)}
	}
	if next != "" {
		out.NextToken = &next
	}
	return out, nil
}
