package ctlake

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// EventDataStoreStatus is the lifecycle state of an event data store (spec §5.1).
type EventDataStoreStatus string

// Statuses of an event data store. CREATED is only ever shown in the
// response to CreateEventDataStore; a stored store is ENABLED,
// STOPPED_INGESTION or PENDING_DELETION. ctlake changes ingestion state
// synchronously, so the short-lived STARTING_INGESTION and STOPPING_INGESTION
// are never observed (both are valid progressions for pollers such as
// Terraform's, which wait for the final state).
const (
	StatusCreated           EventDataStoreStatus = "CREATED"
	StatusEnabled           EventDataStoreStatus = "ENABLED"
	StatusPendingDeletion   EventDataStoreStatus = "PENDING_DELETION"
	StatusStartingIngestion EventDataStoreStatus = "STARTING_INGESTION"
	StatusStoppingIngestion EventDataStoreStatus = "STOPPING_INGESTION"
	StatusStoppedIngestion  EventDataStoreStatus = "STOPPED_INGESTION"
)

// BillingMode decides the retention range of a store.
type BillingMode string

// Billing modes.
const (
	ExtendableRetentionPricing BillingMode = "EXTENDABLE_RETENTION_PRICING"
	FixedRetentionPricing      BillingMode = "FIXED_RETENTION_PRICING"
)

// Limits and defaults of event data stores (spec §5.2, §5.5).
const (
	MinRetentionDays           = 7
	MaxRetentionDaysExtendable = 3653
	MaxRetentionDaysFixed      = 2557
	DefaultRetentionExtendable = 366
	DefaultRetentionFixed      = 2557
	// DefaultMaxEventDataStores is the AWS quota of stores per region,
	// counting stores pending deletion.
	DefaultMaxEventDataStores = 10
	// PendingDeletionPeriod is how long a deleted store can be restored
	// before it is purged.
	PendingDeletionPeriod = 7 * 24 * time.Hour
)

// EventDataStore is a named collection of events with its own retention, the
// table that queries read and imports write (spec §5).
type EventDataStore struct {
	ID      string
	Account string
	Region  string
	Name    string
	Status  EventDataStoreStatus
	// StatusBeforeDeletion is the status a restore returns the store to. AWS
	// documents ENABLED; a store whose ingestion had been stopped is
	// restored stopped, since restoring is meant to undo the deletion and
	// nothing else.
	StatusBeforeDeletion         EventDataStoreStatus
	AdvancedEventSelectors       []AdvancedEventSelector
	MultiRegionEnabled           bool
	OrganizationEnabled          bool
	TerminationProtectionEnabled bool
	RetentionPeriod              int
	// KmsKeyID is the key ARN the store was configured with. ctlake records
	// it for API compatibility; it does not call KMS (see README).
	KmsKeyID    string
	BillingMode BillingMode
	Tags        []Tag
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// DeletedAt is set while the store is PENDING_DELETION.
	DeletedAt time.Time
}

// ARN returns the store's ARN.
func (s *EventDataStore) ARN() string { return EventDataStoreARN(s.Region, s.Account, s.ID) }

// PurgeAt returns when a store pending deletion is purged for good.
func (s *EventDataStore) PurgeAt() time.Time { return s.DeletedAt.Add(PendingDeletionPeriod) }

// Category returns the kind of events the store holds, read from its
// selectors (every selector of a store names the same kind, or only
// CloudTrail event categories).
func (s *EventDataStore) Category() string { return selectorsCategory(s.AdvancedEventSelectors) }

// AllowsIngestionControl reports whether Start/StopEventDataStoreIngestion
// apply to the store: only to stores of CloudTrail events and of AWS Config
// configuration items (spec §3.12).
func (s *EventDataStore) AllowsIngestionControl() bool {
	switch s.Category() {
	case "CloudTrail", "ConfigurationItem":
		return true
	}
	return false
}

// CreateEventDataStoreInput is the configuration of a new store. Nil members
// take their defaults.
type CreateEventDataStoreInput struct {
	Name                         string
	AdvancedEventSelectors       []AdvancedEventSelector // nil: the default management-events selector
	MultiRegionEnabled           *bool
	OrganizationEnabled          *bool
	RetentionPeriod              *int64
	TerminationProtectionEnabled *bool
	Tags                         []Tag
	KmsKeyID                     *string
	StartIngestion               *bool
	BillingMode                  *string
}

// UpdateEventDataStoreInput changes a store. Nil members stay as they are.
type UpdateEventDataStoreInput struct {
	EventDataStore               string
	Name                         *string
	AdvancedEventSelectors       []AdvancedEventSelector
	MultiRegionEnabled           *bool
	OrganizationEnabled          *bool
	RetentionPeriod              *int64
	TerminationProtectionEnabled *bool
	KmsKeyID                     *string
	BillingMode                  *string
}

// Page asks for one page of a listing.
type Page struct {
	MaxResults *int64
	NextToken  *string
}

// EventDataStoreService manages event data stores for the caller carried by
// the context. Every method that takes a store reference accepts its ARN or
// id, and returns EventDataStoreARNInvalidException for a malformed
// reference and EventDataStoreNotFoundException for an unknown one.
type EventDataStoreService interface {
	// CreateEventDataStore returns InvalidParameterException for a member
	// out of its constraints, EventDataStoreAlreadyExistsException for a
	// taken name, EventDataStoreMaxLimitExceededException past the quota,
	// InvalidEventSelectorsException, InvalidTagParameterException and
	// InvalidKmsKeyIdException for bad selectors, tags or key.
	CreateEventDataStore(ctx context.Context, in CreateEventDataStoreInput) (*EventDataStore, error)
	// GetEventDataStore works in every status, PENDING_DELETION included.
	GetEventDataStore(ctx context.Context, ref string) (*EventDataStore, error)
	// ListEventDataStores returns InvalidMaxResultsException and
	// InvalidNextTokenException for a bad page request.
	ListEventDataStores(ctx context.Context, p Page) (stores []*EventDataStore, nextToken string, err error)
	// UpdateEventDataStore returns InactiveEventDataStoreException for a
	// store pending deletion, and the errors of Create for bad members.
	UpdateEventDataStore(ctx context.Context, in UpdateEventDataStoreInput) (*EventDataStore, error)
	// DeleteEventDataStore returns InactiveEventDataStoreException if the
	// store is already pending deletion and
	// EventDataStoreTerminationProtectedException if it is protected.
	DeleteEventDataStore(ctx context.Context, ref string) error
	// RestoreEventDataStore returns InvalidEventDataStoreStatusException
	// unless the store is pending deletion.
	RestoreEventDataStore(ctx context.Context, ref string) (*EventDataStore, error)
	// StartEventDataStoreIngestion and StopEventDataStoreIngestion return
	// InvalidEventDataStoreStatusException from the wrong status and
	// InvalidEventDataStoreCategoryException for stores whose category has
	// no ingestion control.
	StartEventDataStoreIngestion(ctx context.Context, ref string) error
	StopEventDataStoreIngestion(ctx context.Context, ref string) error
}

var (
	eventDataStoreNamePattern = regexp.MustCompile(`^[a-zA-Z0-9._\-]+$`)
	kmsKeyIDPattern           = regexp.MustCompile(`^[a-zA-Z0-9._/\-:]+$`)
	// kmsKeyUUIDPattern matches key ids: UUIDs, and "mrk-" ids of
	// multi-Region keys.
	kmsKeyUUIDPattern = regexp.MustCompile(`^(?i:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
)

// storeRefPattern is the model's pattern for a store reference (ARN or id).
var storeRefPattern = regexp.MustCompile(`^[a-zA-Z0-9._/\-:]+$`)

// ValidateEventDataStoreRef checks a store reference (ARN or id) against
// the model: 3..256 characters of the pattern above. Whether it names a
// store is ResolveEventDataStore's question.
func ValidateEventDataStoreRef(v *Validation, member, ref string) {
	if v.Length(member, ref, 3, 256) {
		v.Pattern(member, ref, storeRefPattern)
	}
}

// validateSettings checks the members Create and Update share against the
// model: the name (3..128 characters of letters, digits, '.', '_' and '-'),
// the billing mode's enum and the retention period's widest range (the
// range of the billing mode is CheckRetention's).
func validateSettings(v *Validation, name *string, mode *string, retention *int64) {
	if name != nil && v.Length("name", *name, 3, 128) {
		v.Pattern("name", *name, eventDataStoreNamePattern)
	}
	if mode != nil {
		v.Enum("billingMode", *mode, string(ExtendableRetentionPricing), string(FixedRetentionPricing))
	}
	if retention != nil {
		v.Range("retentionPeriod", *retention, MinRetentionDays, MaxRetentionDaysExtendable)
	}
}

// Validate checks the members of a new store: against the model, then the
// retention period against the billing mode, the selectors and the tags.
// (The KMS key's ARN form needs the caller's region: NormalizeKmsKeyID.)
func (in *CreateEventDataStoreInput) Validate() error {
	var v Validation
	validateSettings(&v, &in.Name, in.BillingMode, in.RetentionPeriod)
	if err := v.Err(); err != nil {
		return err
	}
	if in.RetentionPeriod != nil {
		mode := ExtendableRetentionPricing
		if in.BillingMode != nil {
			mode = BillingMode(*in.BillingMode)
		}
		if err := CheckRetention(*in.RetentionPeriod, mode); err != nil {
			return err
		}
	}
	if in.AdvancedEventSelectors != nil {
		if err := ValidateSelectors(in.AdvancedEventSelectors); err != nil {
			return err
		}
	}
	if err := ValidateTags(in.Tags); err != nil {
		return err
	}
	if len(in.Tags) > MaxTagsPerResource {
		return Errorf(InvalidTagParameterException, "%d tags given; a resource has at most %d.", len(in.Tags), MaxTagsPerResource)
	}
	return nil
}

// Validate checks that an update changes something, the members it
// changes against the model, and the selectors. The store reference is
// checked by the API (where the member is required); the retention period
// against the billing mode, which may be the store's, by the service.
func (in *UpdateEventDataStoreInput) Validate() error {
	if in.Name == nil && in.AdvancedEventSelectors == nil && in.MultiRegionEnabled == nil && in.OrganizationEnabled == nil &&
		in.RetentionPeriod == nil && in.TerminationProtectionEnabled == nil && in.KmsKeyID == nil && in.BillingMode == nil {
		return Errorf(InvalidParameterException,
			"Nothing to update: give at least one of Name, AdvancedEventSelectors, MultiRegionEnabled, OrganizationEnabled, RetentionPeriod, TerminationProtectionEnabled, KmsKeyId or BillingMode.")
	}
	var v Validation
	validateSettings(&v, in.Name, in.BillingMode, in.RetentionPeriod)
	if err := v.Err(); err != nil {
		return err
	}
	if in.AdvancedEventSelectors != nil {
		return ValidateSelectors(in.AdvancedEventSelectors)
	}
	return nil
}

// CheckRetention returns InvalidParameterException unless days is allowed for
// the billing mode: 7..3653 with extendable pricing, 7..2557 with fixed.
func CheckRetention(days int64, mode BillingMode) error {
	max := int64(MaxRetentionDaysExtendable)
	if mode == FixedRetentionPricing {
		max = MaxRetentionDaysFixed
	}
	if days < MinRetentionDays || days > max {
		return Errorf(InvalidParameterException,
			"The retention period %d is not valid for billing mode %s: it must be between %d and %d days.",
			days, mode, MinRetentionDays, max)
	}
	return nil
}

// DefaultRetention returns the retention period a new store gets with mode.
func DefaultRetention(mode BillingMode) int {
	if mode == FixedRetentionPricing {
		return DefaultRetentionFixed
	}
	return DefaultRetentionExtendable
}

// NormalizeKmsKeyID checks a KMS key reference (key id, key ARN, alias name
// or alias ARN) and returns the ARN form that responses carry.
func NormalizeKmsKeyID(ref, region, account string) (string, error) {
	var v Validation
	v.Code = InvalidKmsKeyIdException
	if v.Length("kmsKeyId", ref, 1, 350) {
		v.Pattern("kmsKeyId", ref, kmsKeyIDPattern)
	}
	if err := v.Err(); err != nil {
		return "", err
	}
	kmsARN := func(resource string) string {
		return ARN{Partition: Partition(region), Service: "kms", Region: region, Account: account, Resource: resource}.String()
	}
	switch {
	case kmsKeyUUIDPattern.MatchString(ref):
		return kmsARN("key/" + ref), nil
	case strings.HasPrefix(ref, "alias/") && len(ref) > len("alias/"):
		return kmsARN(ref), nil
	}
	if a, ok := ParseARN(ref); ok && a.Service == "kms" && a.Region != "" && a.Account != "" {
		if key, isKey := strings.CutPrefix(a.Resource, "key/"); isKey && kmsKeyUUIDPattern.MatchString(key) {
			return ref, nil
		}
		if alias, isAlias := strings.CutPrefix(a.Resource, "alias/"); isAlias && alias != "" {
			return ref, nil
		}
	}
	return "", Errorf(InvalidKmsKeyIdException,
		"The KMS key '%s' is not valid: give a key id (UUID), a key ARN, an alias name (alias/name) or an alias ARN.", ref)
}
