package api

import (
	"context"

	"github.com/ctlake/ctlake"
	"github.com/ctlake/ctlake/awsjson"
)

// StartQueryInput is the request of StartQuery.
type StartQueryInput struct {
	QueryStatement               *string  `json:"QueryStatement"`
	DeliveryS3Uri                *string  `json:"DeliveryS3Uri"`
	QueryAlias                   *string  `json:"QueryAlias"`
	QueryParameters              []string `json:"QueryParameters"`
	EventDataStoreOwnerAccountId *string  `json:"EventDataStoreOwnerAccountId"`
}

// StartQueryOutput is the response of StartQuery.
type StartQueryOutput struct {
	QueryId                      string  `json:"QueryId"`
	EventDataStoreOwnerAccountId *string `json:"EventDataStoreOwnerAccountId,omitempty"`
}

// Validate refuses the dashboard members and checks that the statement is
// given.
func (in *StartQueryInput) Validate() error {
	if in.QueryAlias != nil || in.QueryParameters != nil {
		return ctlake.Errorf(ctlake.InvalidParameterException,
			"QueryAlias and QueryParameters run the queries of CloudTrail Lake dashboards, which ctlake does not serve; give QueryStatement.")
	}
	if in.QueryStatement == nil {
		return ctlake.Errorf(ctlake.InvalidParameterException, "Give QueryStatement, the SQL to run.")
	}
	return nil
}

func (a *API) startQuery(ctx context.Context, in *StartQueryInput) (any, error) {
	q, err := a.Queries.StartQuery(ctx, ctlake.StartQueryInput{Statement: *in.QueryStatement, DeliveryS3URI: deref(in.DeliveryS3Uri)})
	if err != nil {
		return nil, err
	}
	return &StartQueryOutput{QueryId: q.ID, EventDataStoreOwnerAccountId: in.EventDataStoreOwnerAccountId}, nil
}

// QueryRef is the request of DescribeQuery and CancelQuery.
type QueryRef struct {
	QueryId                      *string `json:"QueryId"`
	QueryAlias                   *string `json:"QueryAlias"`
	RefreshId                    *string `json:"RefreshId"`
	EventDataStore               *string `json:"EventDataStore"` // deprecated, ignored
	EventDataStoreOwnerAccountId *string `json:"EventDataStoreOwnerAccountId"`
}

// Validate refuses the dashboard member and checks that the query id is
// given.
func (in *QueryRef) Validate() error {
	if in.QueryAlias != nil {
		return ctlake.Errorf(ctlake.InvalidParameterException, "QueryAlias names dashboard queries, which ctlake does not serve; give QueryId.")
	}
	return required(in.QueryId, "queryId")
}

// QueryStatisticsForDescribeQuery is DescribeQuery's statistics.
type QueryStatisticsForDescribeQuery struct {
	EventsMatched         int64         `json:"EventsMatched"`
	EventsScanned         int64         `json:"EventsScanned"`
	BytesScanned          int64         `json:"BytesScanned"`
	ExecutionTimeInMillis int64         `json:"ExecutionTimeInMillis"`
	CreationTime          *awsjson.Time `json:"CreationTime,omitempty"`
}

// DescribeQueryOutput is the response of DescribeQuery.
type DescribeQueryOutput struct {
	QueryId                      string                          `json:"QueryId"`
	QueryString                  string                          `json:"QueryString"`
	QueryStatus                  string                          `json:"QueryStatus"`
	QueryStatistics              QueryStatisticsForDescribeQuery `json:"QueryStatistics"`
	ErrorMessage                 *string                         `json:"ErrorMessage,omitempty"`
	DeliveryS3Uri                *string                         `json:"DeliveryS3Uri,omitempty"`
	DeliveryStatus               *string                         `json:"DeliveryStatus,omitempty"`
	EventDataStoreOwnerAccountId *string                         `json:"EventDataStoreOwnerAccountId,omitempty"`
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (a *API) describeQuery(ctx context.Context, in *QueryRef) (any, error) {
	q, err := a.Queries.DescribeQuery(ctx, *in.QueryId)
	if err != nil {
		return nil, err
	}
	st := q.Statistics
	return &DescribeQueryOutput{
		QueryId: q.ID, QueryString: q.Statement, QueryStatus: string(q.Status),
		QueryStatistics: QueryStatisticsForDescribeQuery{EventsMatched: st.EventsMatched, EventsScanned: st.EventsScanned,
			BytesScanned: st.BytesScanned, ExecutionTimeInMillis: st.ExecutionTimeInMillis, CreationTime: timeOf(q.CreatedAt)},
		ErrorMessage: nonEmpty(q.ErrorMessage), DeliveryS3Uri: nonEmpty(q.DeliveryS3URI), DeliveryStatus: nonEmpty(q.DeliveryStatus),
		EventDataStoreOwnerAccountId: in.EventDataStoreOwnerAccountId,
	}, nil
}

// CancelQueryOutput is the response of CancelQuery.
type CancelQueryOutput struct {
	QueryId                      string  `json:"QueryId"`
	QueryStatus                  string  `json:"QueryStatus"`
	EventDataStoreOwnerAccountId *string `json:"EventDataStoreOwnerAccountId,omitempty"`
}

func (a *API) cancelQuery(ctx context.Context, in *QueryRef) (any, error) {
	q, err := a.Queries.CancelQuery(ctx, *in.QueryId)
	if err != nil {
		return nil, err
	}
	return &CancelQueryOutput{QueryId: q.ID, QueryStatus: string(q.Status), EventDataStoreOwnerAccountId: in.EventDataStoreOwnerAccountId}, nil
}

// GetQueryResultsInput is the request of GetQueryResults.
type GetQueryResultsInput struct {
	EventDataStore               *string `json:"EventDataStore"` // deprecated, ignored
	QueryId                      *string `json:"QueryId"`
	NextToken                    *string `json:"NextToken"`
	MaxQueryResults              *int64  `json:"MaxQueryResults"`
	EventDataStoreOwnerAccountId *string `json:"EventDataStoreOwnerAccountId"`
}

// QueryStatistics is GetQueryResults' statistics.
type QueryStatistics struct {
	ResultsCount      int64 `json:"ResultsCount"`
	TotalResultsCount int64 `json:"TotalResultsCount"`
	BytesScanned      int64 `json:"BytesScanned"`
}

// GetQueryResultsOutput is the response of GetQueryResults. A row is a list
// of one-key objects, one per column in SELECT order (spec §6.4).
type GetQueryResultsOutput struct {
	QueryStatus     string                 `json:"QueryStatus"`
	QueryStatistics QueryStatistics        `json:"QueryStatistics"`
	QueryResultRows [][]map[string]*string `json:"QueryResultRows"`
	NextToken       *string                `json:"NextToken,omitempty"`
	ErrorMessage    *string                `json:"ErrorMessage,omitempty"`
}

// Validate checks that the query id is given and the token's length.
func (in *GetQueryResultsInput) Validate() error {
	if err := required(in.QueryId, "queryId"); err != nil {
		return err
	}
	return ctlake.ValidateNextToken(in.NextToken)
}

func (a *API) getQueryResults(ctx context.Context, in *GetQueryResultsInput) (any, error) {
	page, err := a.Queries.GetQueryResults(ctx, *in.QueryId, ctlake.Page{MaxResults: in.MaxQueryResults, NextToken: in.NextToken})
	if err != nil {
		return nil, err
	}
	q := page.Query
	out := &GetQueryResultsOutput{
		QueryStatus:     string(q.Status),
		QueryStatistics: QueryStatistics{ResultsCount: int64(len(page.Rows)), TotalResultsCount: q.Statistics.TotalResultsCount, BytesScanned: q.Statistics.BytesScanned},
		QueryResultRows: make([][]map[string]*string, len(page.Rows)),
		ErrorMessage:    nonEmpty(q.ErrorMessage),
	}
	for i, row := range page.Rows {
		cells := make([]map[string]*string, len(row))
		for j, v := range row {
			name := ""
			if j < len(page.Columns) {
				name = page.Columns[j]
			}
			cells[j] = map[string]*string{name: v}
		}
		out.QueryResultRows[i] = cells
	}
	if page.NextToken != "" {
		out.NextToken = &page.NextToken
	}
	return out, nil
}

// ListQueriesInput is the request of ListQueries.
type ListQueriesInput struct {
	EventDataStore *string       `json:"EventDataStore"`
	NextToken      *string       `json:"NextToken"`
	MaxResults     *int64        `json:"MaxResults"`
	StartTime      *awsjson.Time `json:"StartTime"`
	EndTime        *awsjson.Time `json:"EndTime"`
	QueryStatus    *string       `json:"QueryStatus"`
}

// QueryItem is an item of ListQueries.
type QueryItem struct {
	QueryId      string        `json:"QueryId"`
	QueryStatus  string        `json:"QueryStatus"`
	CreationTime *awsjson.Time `json:"CreationTime,omitempty"`
}

// ListQueriesOutput is the response of ListQueries.
type ListQueriesOutput struct {
	Queries   []QueryItem `json:"Queries"`
	NextToken *string     `json:"NextToken,omitempty"`
}

// Validate checks the store reference and the token's length.
func (in *ListQueriesInput) Validate() error {
	if err := storeRef(in.EventDataStore, "eventDataStore"); err != nil {
		return err
	}
	return ctlake.ValidateNextToken(in.NextToken)
}

func (a *API) listQueries(ctx context.Context, in *ListQueriesInput) (any, error) {
	lin := ctlake.ListQueriesInput{EventDataStore: *in.EventDataStore, Status: deref(in.QueryStatus), Page: ctlake.Page{MaxResults: in.MaxResults, NextToken: in.NextToken}}
	if in.StartTime != nil {
		lin.StartTime = &in.StartTime.Time
	}
	if in.EndTime != nil {
		lin.EndTime = &in.EndTime.Time
	}
	qs, next, err := a.Queries.ListQueries(ctx, lin)
	if err != nil {
		return nil, err
	}
	out := &ListQueriesOutput{Queries: make([]QueryItem, len(qs))}
	for i, q := range qs {
		out.Queries[i] = QueryItem{QueryId: q.ID, QueryStatus: string(q.Status), CreationTime: timeOf(q.CreatedAt)}
	}
	if next != "" {
		out.NextToken = &next
	}
	return out, nil
}
