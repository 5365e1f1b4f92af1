// Package rpc is the API: one file per RPC namespace, its methods and
// their declarations, over the store. The machinery they run on lives in
// rpc/internal: the codecs (wire), dispatch and the permission check
// point (dispatch), sessions (session), tenant routing (tenancy) and the
// operator endpoints (ops).
package rpc

import (
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/tcms/tcms/rpc/internal/dispatch"
	"github.com/tcms/tcms/rpc/internal/ops"
	"github.com/tcms/tcms/rpc/internal/session"
	"github.com/tcms/tcms/rpc/internal/tenancy"
	"github.com/tcms/tcms/rpc/oidc"
	"github.com/tcms/tcms/store"
)

// Config holds what the server needs; cmd/tcms reads it from flags and
// the environment.
type Config struct {
	Store        *store.Store
	Secret       []byte        // HMAC key for session tokens
	SessionTTL   time.Duration // session lifetime
	EscapeHTML   bool          // HTML-escape returned strings, as Kiwi TCMS does
	MaxBodyBytes int64         // request body limit
	Version      string        // what KiwiTCMS.version answers
	// TenantsDomain turns on tenants: <schema>.<TenantsDomain> and the
	// /t/<schema>/ prefix pick one (docs/tenants.md). "": public only.
	TenantsDomain string
	// SendMail delivers one message (headers and body) to an address;
	// nil: messages are logged instead (Tenant.invite).
	SendMail func(to, msg string) error
	Pprof    bool // serve Go's profiles under /debug/pprof/ to superusers
	Logger   *slog.Logger
	// OIDC verifies the ID tokens of Auth.exchange_oidc (docs/ci.md).
	OIDC oidc.Config
	// InvitationTTL is how long a Tenant.invite token lasts (default
	// DefaultInvitationTTL); PasswordResetTTL a reset token's (default
	// DefaultPasswordResetTTL).
	InvitationTTL, PasswordResetTTL time.Duration

	// Limits (docs/running.md); <= 0: the default.
	MaxBatch         int   // calls in one JSON-RPC batch or system.multicall
	MaxResponseBytes int64 // bytes in one reply
	ReplyMemory      int64 // bytes all replies being built or sent may hold together
}

// The defaults of the limits.
const (
	// DefaultMaxBodyBytes is Kiwi TCMS's limit: room for a 5 MiB
	// attachment in base64.
	DefaultMaxBodyBytes     = 7864320
	DefaultMaxBatch         = 1000
	DefaultMaxResponseBytes = 256 << 20
	DefaultReplyMemory      = 256 << 20
)

// Server serves both RPC protocols over one set of registered methods.
type Server struct {
	cfg      Config
	store    *store.Store
	log      *slog.Logger
	calls    *dispatch.Dispatcher
	sessions *session.Manager
	oidc     *oidc.Verifier
	mux      *http.ServeMux
	later    sync.WaitGroup // work a call leaves running after its reply (reset mails)
}

// services lists every namespace: the whole API surface in one place
// (dispatch adds the system namespace).
func (s *Server) services() []dispatch.Service {
	return []dispatch.Service{
		namespace("Attachment", &Attachment{s}, attachmentMethods),
		namespace("Audit", &Audit{s}, auditMethods),
		namespace("Auth", &Auth{s}, authMethods, authOIDCMethods, authLifecycleMethods),
		namespace("Bug", &Bug{s}, bugMethods, bugLinkMethods),
		namespace("BugTracker", &BugTracker{s}, bugTrackerMethods),
		namespace("Build", &Build{s}, buildMethods),
		namespace("Category", &Category{s}, categoryMethods),
		namespace("Classification", &Classification{s}, classificationMethods),
		namespace("Component", &Component{s}, componentMethods),
		namespace("Environment", &Environment{s}, environmentMethods),
		namespace("Group", &Group{s}, groupMethods),
		namespace("Invitation", &Invitation{s}, invitationMethods),
		namespace("KiwiTCMS", &KiwiTCMS{s}, kiwiTCMSMethods),
		namespace("Markdown", &Markdown{s}, markdownMethods),
		namespace("ObjectPermission", &ObjectPermission{s}, objectPermissionMethods),
		namespace("Permission", &Permission{s}, permissionMethods),
		namespace("PlanType", &PlanType{s}, planTypeMethods),
		namespace("Priority", &Priority{s}, priorityMethods),
		namespace("Product", &Product{s}, productMethods),
		namespace("Severity", &Severity{s}, severityMethods),
		namespace("Tag", &Tag{s}, tagMethods),
		namespace("Template", &Template{s}, templateMethods),
		namespace("Tenant", &Tenant{s}, tenantMethods, tenantAdminMethods),
		namespace("TenantGroup", &TenantGroup{s}, tenantGroupMethods),
		namespace("TestCase", &TestCase{s}, testCaseMethods, testCaseLinkMethods),
		namespace("TestCaseStatus", &TestCaseStatus{s}, testCaseStatusMethods),
		namespace("TestExecution", &TestExecution{s}, testExecutionMethods, testExecutionLinkMethods),
		namespace("TestExecutionStatus", &TestExecutionStatus{s}, testExecutionStatusMethods),
		namespace("TestPlan", &TestPlan{s}, testPlanMethods),
		namespace("TestRun", &TestRun{s}, testRunMethods, testRunLinkMethods, testRunCaseMethods),
		namespace("Testing", &Testing{s}, testingMethods),
		namespace("TrustPolicy", &TrustPolicy{s}, trustPolicyMethods),
		namespace("User", &User{s}, userMethods, userLifecycleMethods),
		namespace("Version", &Version{s}, versionMethods),
	}
}

// namespace is the service of a namespace whose methods are declared in
// one list or more.
func namespace(name string, receiver any, methods ...[]Method) dispatch.Service {
	return dispatch.Service{Name: name, Receiver: receiver, Methods: slices.Concat(methods...)}
}

// New builds the server and registers every method.
func New(cfg Config) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = DefaultMaxBatch
	}
	if cfg.MaxResponseBytes <= 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.ReplyMemory <= 0 {
		cfg.ReplyMemory = DefaultReplyMemory
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 24 * time.Hour
	}
	if cfg.InvitationTTL <= 0 {
		cfg.InvitationTTL = DefaultInvitationTTL
	}
	if cfg.PasswordResetTTL <= 0 {
		cfg.PasswordResetTTL = DefaultPasswordResetTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if len(cfg.Secret) < 32 {
		return nil, errors.New("rpc: the session secret must be at least 32 bytes")
	}
	s := &Server{
		cfg:      cfg,
		store:    cfg.Store,
		log:      cfg.Logger,
		sessions: session.New(cfg.Store, cfg.Secret, cfg.SessionTTL),
		oidc:     oidc.New(cfg.OIDC),
	}
	var err error
	s.calls, err = dispatch.New(dispatch.Config{
		Store: cfg.Store, Sessions: s.sessions, Log: cfg.Logger, EscapeHTML: cfg.EscapeHTML,
		MaxBodyBytes: cfg.MaxBodyBytes, MaxBatch: cfg.MaxBatch,
		MaxResponseBytes: cfg.MaxResponseBytes, ReplyMemory: cfg.ReplyMemory,
	}, s.services())
	if err != nil {
		return nil, err
	}
	routed := tenancy.NewRouter(cfg.Store, cfg.TenantsDomain, cfg.Logger).Routed
	s.mux = http.NewServeMux()
	xmlRPC, jsonRPC := routed(s.calls.ServeXML), routed(s.calls.ServeJSON)
	// Without the trailing slash too: served, not redirected (a redirect
	// loses the POST body with many clients).
	s.mux.HandleFunc("/xml-rpc/", xmlRPC)
	s.mux.HandleFunc("/xml-rpc", xmlRPC)
	s.mux.HandleFunc("/json-rpc/{$}", jsonRPC)
	s.mux.HandleFunc("/json-rpc", jsonRPC)
	s.mux.HandleFunc("GET /uploads/attachments/{owner}/{id}/{file}", routed(s.serveAttachment))
	if cfg.TenantsDomain != "" {
		s.mux.HandleFunc("/t/{tenant}/xml-rpc/", xmlRPC)
		s.mux.HandleFunc("/t/{tenant}/xml-rpc", xmlRPC)
		s.mux.HandleFunc("/t/{tenant}/json-rpc/{$}", jsonRPC)
		s.mux.HandleFunc("/t/{tenant}/json-rpc", jsonRPC)
		s.mux.HandleFunc("GET /t/{tenant}/uploads/attachments/{owner}/{id}/{file}", routed(s.serveAttachment))
	}
	s.mux.HandleFunc("GET /healthz", ops.Live)
	s.mux.HandleFunc("GET /readyz", ops.Ready(cfg.Store, cfg.Logger))
	s.mux.Handle("GET /metrics", s.calls.Metrics())
	if cfg.Pprof {
		s.mux.Handle("/debug/pprof/", ops.Profiles(func(r *http.Request) *store.Principal {
			who, _, _, _ := s.sessions.Identify(r)
			return who
		}))
	}
	return s, nil
}

// ServeHTTP routes a request to an endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// APIReference renders docs/api.md from the method registry, so the
// reference cannot drift from what the server answers.
func APIReference() (string, error) {
	return dispatch.Reference((&Server{}).services())
}
