package ctlake

import "time"

// Event is one CloudTrail event as an event data store keeps it: the row of
// the Lake schema for CloudTrail-event stores (spec §6.2). Pointers and nil
// maps are SQL NULLs: an absent errorCode must stay NULL, not become "",
// because queries such as "WHERE errorCode IS NOT NULL" depend on it.
type Event struct {
	EventVersion    *string
	UserIdentity    *UserIdentity
	EventTime       time.Time // UTC, millisecond precision
	EventSource     *string
	EventName       *string
	AWSRegion       *string
	SourceIPAddress *string
	UserAgent       *string
	ErrorCode       *string
	ErrorMessage    *string
	// Free-form objects become maps of their top-level keys: string values
	// verbatim, anything else as its JSON text.
	RequestParameters            map[string]string
	ResponseElements             map[string]string
	AdditionalEventData          map[string]string
	RequestID                    *string
	EventID                      *string
	ReadOnly                     *bool
	Resources                    []Resource
	EventType                    *string
	APIVersion                   *string
	ManagementEvent              *bool
	RecipientAccountID           *string
	SharedEventID                *string
	Annotation                   *string
	VPCEndpointID                *string
	VPCEndpointAccountID         *string
	ServiceEventDetails          map[string]string
	Addendum                     map[string]string
	EdgeDeviceDetails            map[string]string
	InsightDetails               map[string]string
	EventCategory                *string
	TLSDetails                   *TLSDetails
	SessionCredentialFromConsole *string
	// EventJSON is the original record, byte for byte as it was in the log
	// file.
	EventJSON string
}

// UserIdentity is the userIdentity struct of the Lake schema.
type UserIdentity struct {
	Type             *string
	PrincipalID      *string
	ARN              *string
	AccountID        *string
	AccessKeyID      *string
	UserName         *string
	SessionContext   *SessionContext
	InvokedBy        *string
	IdentityProvider *string
	OnBehalfOf       *OnBehalfOf
	InScopeOf        *InScopeOf
}

// SessionContext is userIdentity.sessionContext.
type SessionContext struct {
	Attributes          *SessionAttributes
	SessionIssuer       *SessionIssuer
	WebIDFederationData *WebIDFederationData
	SourceIdentity      *string
	EC2RoleDelivery     *string
	EC2IssuedInVPC      *string
}

// SessionAttributes is userIdentity.sessionContext.attributes.
type SessionAttributes struct {
	CreationDate     *time.Time
	MFAAuthenticated *string
}

// SessionIssuer is userIdentity.sessionContext.sessionIssuer.
type SessionIssuer struct {
	Type        *string
	PrincipalID *string
	ARN         *string
	AccountID   *string
	UserName    *string
}

// WebIDFederationData is userIdentity.sessionContext.webIdFederationData.
type WebIDFederationData struct {
	FederatedProvider *string
	Attributes        map[string]string
}

// OnBehalfOf is userIdentity.onBehalfOf.
type OnBehalfOf struct {
	UserID           *string
	IdentityStoreARN *string
}

// InScopeOf is userIdentity.inScopeOf.
type InScopeOf struct {
	SourceARN           *string
	SourceAccount       *string
	IssuerType          *string
	CredentialsIssuedTo *string
}

// Resource is one element of resources.
type Resource struct {
	AccountID *string
	Type      *string
	ARN       *string
	ARNPrefix *string
}

// TLSDetails is tlsDetails.
type TLSDetails struct {
	TLSVersion               *string
	CipherSuite              *string
	ClientProvidedHostHeader *string
}
