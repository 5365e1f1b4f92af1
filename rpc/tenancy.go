package rpc

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tcms/tcms/store"
)

// Tenant routing and admission (docs/tenants.md). With Config.TenantsDomain
// set, the host <schema>.<domain> (or an extra domain of a tenant) or the
// path prefix /t/<schema>/ picks the tenant of a request; the bare domain,
// public.<domain> and /t/public/ pick the public tenant. Without it there
// is one public tenant and no routing.

type tenantKey struct{}

// tenantOf returns the request's tenant, nil for the public tenant.
func tenantOf(ctx context.Context) *store.Tenant {
	t, _ := ctx.Value(tenantKey{}).(*store.Tenant)
	return t
}

// routed wraps an endpoint with the tenant middleware: it finds the
// request's tenant, answers 404 for an unknown one, and scopes the store
// to it through the context.
func (s *Server) routed(h http.HandlerFunc) http.HandlerFunc {
	if s.cfg.TenantsDomain == "" {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		var t *store.Tenant
		err := error(store.ErrUnavailable)
		if s.store.Available() {
			t, err = s.findTenant(r)
		}
		switch store.ErrorKind(err) {
		case store.NotFound:
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		case store.Unavailable:
			// The endpoint answers it: RPC calls as a fault each.
			h(w, r.WithContext(context.WithValue(r.Context(), routeErrorKey{}, err)))
			return
		}
		if err != nil {
			s.log.Error("tenant lookup failed", "err", err)
			http.Error(w, "Internal error: internal error", http.StatusInternalServerError)
			return
		}
		if t != nil {
			r = r.WithContext(store.WithTenant(context.WithValue(r.Context(), tenantKey{}, t), t.SchemaName))
		}
		h(w, r)
	}
}

type routeErrorKey struct{}

// routeError is why the request's tenant could not be looked up, when the
// tenant middleware leaves the answer to the endpoint; else nil.
func routeError(ctx context.Context) error {
	err, _ := ctx.Value(routeErrorKey{}).(error)
	return err
}

// findTenant picks the tenant from the /t/<schema>/ prefix, else from the
// host name.
func (s *Server) findTenant(r *http.Request) (*store.Tenant, error) {
	domain := strings.ToLower(s.cfg.TenantsDomain)
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	schema := r.PathValue("tenant")
	where := "/t/" + schema + "/"
	if schema == "" {
		where = host
		switch {
		case host == domain || host == "public."+domain:
			return nil, nil
		case strings.HasSuffix(host, "."+domain):
			schema = strings.TrimSuffix(host, "."+domain)
		}
	} else {
		host = ""
	}
	if schema == "public" {
		return nil, nil
	}
	if schema != "" && store.CheckSchemaName(schema) != nil {
		return nil, unknownTenant(where)
	}
	t, err := s.store.TenantFor(r.Context(), schema, host)
	if store.ErrorKind(err) == store.NotFound {
		return nil, unknownTenant(where)
	}
	return t, err
}

func unknownTenant(where string) error {
	return store.Errorf(store.NotFound, "Unknown tenant: no organisation is served at %s.", where)
}

// readable reports whether a method only reads test-management data: every
// label it needs is a view_ label of the apps the Tester group covers, so
// never accounts, groups, grants or tenants. These are what anonymous and
// unauthorised callers may call in a publicly readable tenant.
func readable(m *Method) bool {
	if m.Access != Perms {
		return false
	}
	for _, l := range m.Perms {
		app, codename, _ := strings.Cut(l, ".")
		if !strings.HasPrefix(codename, "view_") || !store.TestManagementApp(app) {
			return false
		}
	}
	return true
}

// admit is the tenant's part of the permission check point, before the
// method's own labels: an expired tenant refuses every call; anonymous
// methods pass; superusers and authorised users go on to the label check;
// in a publicly readable tenant anyone may call readable methods (reader
// true: no label check); everyone else is refused.
func (s *Server) admit(ctx context.Context, who *store.Principal, m *Method) (reader bool, err error) {
	t := tenantOf(ctx)
	if t == nil {
		return false, nil
	}
	if t.Expired(time.Now()) {
		return false, authFailed(m.Name, fmt.Sprintf("the subscription of tenant %s ended on %s; renew it to continue",
			t.SchemaName, t.PaidUntil.UTC().Format(time.DateOnly)))
	}
	if m.Access == Anonymous {
		return false, nil
	}
	if who != nil {
		ok, err := s.store.Authorized(ctx, *who)
		if err != nil || ok {
			return false, err
		}
	}
	if t.PubliclyReadable && readable(m) {
		return true, nil
	}
	if who == nil {
		return false, authFailed(m.Name, "login required: tenant "+t.SchemaName+" is not open to anonymous callers")
	}
	return false, authFailed(m.Name, fmt.Sprintf("user %s is not authorised for tenant %s", who.Username, t.SchemaName))
}
