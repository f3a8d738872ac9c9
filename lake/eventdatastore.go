package lake

import (
	"context"
	"errors"
	"slices"

	"github.com/ctlake/ctlake"
)

// CreateEventDataStore creates a store with the defaults of spec §5.2.
func (s *Service) CreateEventDataStore(ctx context.Context, in ctlake.CreateEventDataStoreInput) (*ctlake.EventDataStore, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}

	now := ctlake.Millis(s.now()) // milliseconds, as stored
	eds := &ctlake.EventDataStore{
		ID:                           ctlake.NewID(),
		Account:                      c.Account,
		Region:                       c.Region,
		Name:                         in.Name,
		Status:                       ctlake.StatusEnabled,
		AdvancedEventSelectors:       ctlake.DefaultSelectors(),
		MultiRegionEnabled:           valueOr(in.MultiRegionEnabled, true),
		OrganizationEnabled:          valueOr(in.OrganizationEnabled, false),
		TerminationProtectionEnabled: valueOr(in.TerminationProtectionEnabled, true),
		BillingMode:                  ctlake.BillingMode(valueOr(in.BillingMode, string(ctlake.ExtendableRetentionPricing))),
		Tags:                         in.Tags,
		CreatedAt:                    now,
		UpdatedAt:                    now,
	}
	eds.RetentionPeriod = ctlake.DefaultRetention(eds.BillingMode)
	if in.RetentionPeriod != nil {
		eds.RetentionPeriod = int(*in.RetentionPeriod)
	}
	if in.AdvancedEventSelectors != nil {
		eds.AdvancedEventSelectors = in.AdvancedEventSelectors
	}
	if in.KmsKeyID != nil {
		if eds.KmsKeyID, err = ctlake.NormalizeKmsKeyID(*in.KmsKeyID, c.Region, c.Account); err != nil {
			return nil, err
		}
	}
	if eds.OrganizationEnabled {
		if err := s.checkOrganization(c); err != nil {
			return nil, err
		}
	}
	if !valueOr(in.StartIngestion, true) {
		if !eds.AllowsIngestionControl() {
			return nil, ctlake.Errorf(ctlake.InvalidParameterException,
				"StartIngestion=false applies only to stores of CloudTrail events or configuration items; this store selects %s events.", eds.Category())
		}
		eds.Status = ctlake.StatusStoppedIngestion
	}

	err = s.Catalog.Update(ctx, func(tx ctlake.Tx) error {
		stores, err := s.storesOf(tx, c)
		if err != nil {
			return err
		}
		for _, other := range stores {
			if other.Name == eds.Name {
				return nameTaken(other)
			}
		}
		if len(stores) >= s.maxStores() {
			return ctlake.Errorf(ctlake.EventDataStoreMaxLimitExceededException,
				"Region %s already has %d event data stores, the most allowed (stores pending deletion count until they are purged). Delete one or wait for a deleted one to be purged.",
				c.Region, len(stores))
		}
		return tx.PutEventDataStore(eds)
	})
	if err != nil {
		return nil, err
	}
	created := *eds
	created.Status = ctlake.StatusCreated // only the create response shows CREATED (spec §5.1)
	return &created, nil
}

// GetEventDataStore returns the store in any status, PENDING_DELETION
// included, until it is purged.
func (s *Service) GetEventDataStore(ctx context.Context, ref string) (*ctlake.EventDataStore, error) {
	var eds *ctlake.EventDataStore
	err := s.view(ctx, ref, func(tx ctlake.Tx, e *ctlake.EventDataStore) error {
		eds = e
		return nil
	})
	return eds, err
}

// ListEventDataStores lists the caller's stores in creation order, stores
// pending deletion included (they count toward the quota, and AWS points
// users to this call to count their stores).
func (s *Service) ListEventDataStores(ctx context.Context, p ctlake.Page) ([]*ctlake.EventDataStore, string, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, "", err
	}
	limit, err := ctlake.PageLimit(p.MaxResults, 1000, ctlake.InvalidMaxResultsException)
	if err != nil {
		return nil, "", err
	}
	scope := "ListEventDataStores/" + c.Account + "/" + c.Region
	after := ""
	if p.NextToken != nil {
		if after, err = s.tokens.decode(*p.NextToken, scope, ctlake.InvalidNextTokenException); err != nil {
			return nil, "", err
		}
	}
	var stores []*ctlake.EventDataStore
	err = s.Catalog.View(ctx, func(tx ctlake.Tx) error {
		// No Limit: purged stores the sweeper has not removed yet are
		// filtered here, and a region holds a handful of stores.
		all, err := tx.EventDataStores(ctlake.EventDataStoreFilter{Account: c.Account, Region: c.Region, After: after})
		stores = s.live(all)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(stores) > limit {
		stores = stores[:limit]
		next = s.tokens.encode(scope, stores[limit-1].ID)
	}
	return stores, next, nil
}

// UpdateEventDataStore changes the members given; the status stays as it is.
func (s *Service) UpdateEventDataStore(ctx context.Context, in ctlake.UpdateEventDataStoreInput) (*ctlake.EventDataStore, error) {
	c, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var kmsARN string
	if in.KmsKeyID != nil {
		if kmsARN, err = ctlake.NormalizeKmsKeyID(*in.KmsKeyID, c.Region, c.Account); err != nil {
			return nil, err
		}
	}
	if in.OrganizationEnabled != nil && *in.OrganizationEnabled {
		if err := s.checkOrganization(c); err != nil {
			return nil, err
		}
	}

	var updated *ctlake.EventDataStore
	err = s.update(ctx, in.EventDataStore, func(tx ctlake.Tx, eds *ctlake.EventDataStore) error {
		if err := changeable(tx, eds); err != nil {
			return err
		}
		if in.Name != nil && *in.Name != eds.Name {
			stores, err := s.storesOf(tx, c)
			if err != nil {
				return err
			}
			for _, other := range stores {
				if other.Name == *in.Name {
					return nameTaken(other)
				}
			}
			eds.Name = *in.Name
		}
		if in.BillingMode != nil {
			mode := ctlake.BillingMode(*in.BillingMode)
			if eds.BillingMode == ctlake.ExtendableRetentionPricing && mode == ctlake.FixedRetentionPricing {
				return ctlake.Errorf(ctlake.InvalidParameterException,
					"The billing mode can change from FIXED_RETENTION_PRICING to EXTENDABLE_RETENTION_PRICING, not back.")
			}
			eds.BillingMode = mode
		}
		if in.RetentionPeriod != nil {
			eds.RetentionPeriod = int(*in.RetentionPeriod)
		}
		if err := ctlake.CheckRetention(int64(eds.RetentionPeriod), eds.BillingMode); err != nil {
			return err
		}
		if in.AdvancedEventSelectors != nil {
			before, after := eds.Category(), ctlake.EventDataStore{AdvancedEventSelectors: in.AdvancedEventSelectors}
			if before != after.Category() {
				return ctlake.Errorf(ctlake.InvalidEventSelectorsException,
					"The store holds %s events; its selectors cannot switch it to %s events. Create another store for those.", before, after.Category())
			}
			eds.AdvancedEventSelectors = in.AdvancedEventSelectors
		}
		if in.KmsKeyID != nil {
			if eds.KmsKeyID != "" && eds.KmsKeyID != kmsARN {
				return ctlake.Errorf(ctlake.InvalidParameterException,
					"The store is encrypted with %s; a KMS key, once set, cannot be changed or removed.", eds.KmsKeyID)
			}
			eds.KmsKeyID = kmsARN
		}
		if in.MultiRegionEnabled != nil {
			eds.MultiRegionEnabled = *in.MultiRegionEnabled
		}
		if in.OrganizationEnabled != nil {
			eds.OrganizationEnabled = *in.OrganizationEnabled
		}
		if in.TerminationProtectionEnabled != nil {
			eds.TerminationProtectionEnabled = *in.TerminationProtectionEnabled
		}
		eds.UpdatedAt = ctlake.Millis(s.now())
		updated = eds
		return nil
	})
	return updated, err
}

// DeleteEventDataStore marks the store PENDING_DELETION; it is purged seven
// days later unless restored. The checks run in the order of spec §3.10.
func (s *Service) DeleteEventDataStore(ctx context.Context, ref string) error {
	return s.update(ctx, ref, func(tx ctlake.Tx, eds *ctlake.EventDataStore) error {
		if err := changeable(tx, eds); err != nil {
			return err
		}
		if eds.TerminationProtectionEnabled {
			return ctlake.Errorf(ctlake.EventDataStoreTerminationProtectedException,
				"The event data store %s has termination protection enabled. Turn it off with UpdateEventDataStore (--no-termination-protection-enabled) before deleting it.", eds.Name)
		}
		now := ctlake.Millis(s.now())
		eds.StatusBeforeDeletion = eds.Status
		eds.Status = ctlake.StatusPendingDeletion
		eds.DeletedAt = now
		eds.UpdatedAt = now
		return nil
	})
}

// RestoreEventDataStore brings back a store pending deletion, in the status
// it had before.
func (s *Service) RestoreEventDataStore(ctx context.Context, ref string) (*ctlake.EventDataStore, error) {
	var restored *ctlake.EventDataStore
	err := s.update(ctx, ref, func(tx ctlake.Tx, eds *ctlake.EventDataStore) error {
		if eds.Status != ctlake.StatusPendingDeletion {
			return ctlake.Errorf(ctlake.InvalidEventDataStoreStatusException,
				"The event data store %s is %s; only a store pending deletion can be restored.", eds.Name, eds.Status)
		}
		eds.Status = eds.StatusBeforeDeletion
		if eds.Status == "" {
			eds.Status = ctlake.StatusEnabled
		}
		eds.StatusBeforeDeletion = ""
		eds.DeletedAt = ctlake.EventDataStore{}.DeletedAt
		eds.UpdatedAt = ctlake.Millis(s.now())
		restored = eds
		return nil
	})
	return restored, err
}

// StartEventDataStoreIngestion moves a store from STOPPED_INGESTION to ENABLED.
func (s *Service) StartEventDataStoreIngestion(ctx context.Context, ref string) error {
	return s.setIngestion(ctx, ref, ctlake.StatusStoppedIngestion, ctlake.StatusEnabled)
}

// StopEventDataStoreIngestion moves a store from ENABLED to STOPPED_INGESTION.
func (s *Service) StopEventDataStoreIngestion(ctx context.Context, ref string) error {
	return s.setIngestion(ctx, ref, ctlake.StatusEnabled, ctlake.StatusStoppedIngestion)
}

func (s *Service) setIngestion(ctx context.Context, ref string, from, to ctlake.EventDataStoreStatus) error {
	return s.update(ctx, ref, func(tx ctlake.Tx, eds *ctlake.EventDataStore) error {
		if !eds.AllowsIngestionControl() {
			return ctlake.Errorf(ctlake.InvalidEventDataStoreCategoryException,
				"The event data store %s holds %s events; ingestion can be started and stopped only for stores of CloudTrail events or configuration items.", eds.Name, eds.Category())
		}
		if eds.Status != from {
			return ctlake.Errorf(ctlake.InvalidEventDataStoreStatusException,
				"The event data store %s is %s; this operation needs it %s.", eds.Name, eds.Status, from)
		}
		eds.Status = to
		eds.UpdatedAt = ctlake.Millis(s.now())
		return nil
	})
}

// view finds the store ref names for the caller and runs fn on it in a
// read-only transaction.
func (s *Service) view(ctx context.Context, ref string, fn func(ctlake.Tx, *ctlake.EventDataStore) error) error {
	return s.withStore(ctx, ref, s.Catalog.View, fn)
}

// update finds the store ref names for the caller, runs fn on it and saves
// it, in one transaction.
func (s *Service) update(ctx context.Context, ref string, fn func(ctlake.Tx, *ctlake.EventDataStore) error) error {
	return s.withStore(ctx, ref, s.Catalog.Update, func(tx ctlake.Tx, eds *ctlake.EventDataStore) error {
		if err := fn(tx, eds); err != nil {
			return err
		}
		return tx.PutEventDataStore(eds)
	})
}

func (s *Service) withStore(ctx context.Context, ref string, run func(context.Context, func(ctlake.Tx) error) error, fn func(ctlake.Tx, *ctlake.EventDataStore) error) error {
	c, err := caller(ctx)
	if err != nil {
		return err
	}
	id, err := ctlake.ResolveEventDataStore(c, ref)
	if err != nil {
		return err
	}
	return run(ctx, func(tx ctlake.Tx) error {
		eds, err := tx.EventDataStore(id)
		if errors.Is(err, ctlake.ErrNotFound) || err == nil && (eds.Account != c.Account || eds.Region != c.Region || s.purged(eds)) {
			return ctlake.Errorf(ctlake.EventDataStoreNotFoundException,
				"The event data store %s was not found in account %s, region %s.", ref, c.Account, c.Region)
		}
		if err != nil {
			return err
		}
		return fn(tx, eds)
	})
}

// storesOf returns the caller's stores that still exist, for a write
// transaction that is about to claim a name or a quota slot. Stores whose
// grace period has ended are purged here, in the same transaction, so that
// their names are free for the write whether or not the sweeper has run.
func (s *Service) storesOf(tx ctlake.Tx, c ctlake.Caller) ([]*ctlake.EventDataStore, error) {
	all, err := tx.EventDataStores(ctlake.EventDataStoreFilter{Account: c.Account, Region: c.Region})
	if err != nil {
		return nil, err
	}
	for _, eds := range all {
		if s.purged(eds) {
			if err := tx.DeleteEventDataStore(eds.ID); err != nil {
				return nil, err
			}
		}
	}
	return s.live(all), nil
}

func (s *Service) live(stores []*ctlake.EventDataStore) []*ctlake.EventDataStore {
	return slices.DeleteFunc(stores, s.purged)
}

// purged reports whether a store's grace period has ended: from that moment
// it is gone for every operation, whether or not the sweeper has run.
func (s *Service) purged(eds *ctlake.EventDataStore) bool {
	return eds.Status == ctlake.StatusPendingDeletion && !s.now().Before(eds.PurgeAt())
}

func (s *Service) checkOrganization(c ctlake.Caller) error {
	if s.OrganizationManagementAccount {
		return nil
	}
	return ctlake.Errorf(ctlake.OrganizationsNotInUseException,
		"Account %s is not the management account of an organization, so OrganizationEnabled cannot be true. Start ctlake with --organization-management-account to serve as one.", c.Account)
}

func nameTaken(other *ctlake.EventDataStore) error {
	if other.Status == ctlake.StatusPendingDeletion {
		return ctlake.Errorf(ctlake.EventDataStoreAlreadyExistsException,
			"An event data store named %s already exists (pending deletion; restore it or wait until it is purged).", other.Name)
	}
	return ctlake.Errorf(ctlake.EventDataStoreAlreadyExistsException, "An event data store named %s already exists.", other.Name)
}

func inactive(eds *ctlake.EventDataStore) error {
	return ctlake.Errorf(ctlake.InactiveEventDataStoreException,
		"The event data store %s is pending deletion; restore it with RestoreEventDataStore first.", eds.Name)
}

func valueOr[T any](p *T, def T) T {
	if p != nil {
		return *p
	}
	return def
}

// changeable returns the error of a store that Update and Delete cannot
// change: one pending deletion, or one an import is writing to.
func changeable(tx ctlake.Tx, eds *ctlake.EventDataStore) error {
	if eds.Status == ctlake.StatusPendingDeletion {
		return inactive(eds)
	}
	busy, err := hasRunningImport(tx, eds.ID)
	if err != nil {
		return err
	}
	if busy {
		return ctlake.Errorf(ctlake.EventDataStoreHasOngoingImportException,
			"An import into the event data store %s is running; wait for it to end or stop it with StopImport first.", eds.Name)
	}
	return nil
}
