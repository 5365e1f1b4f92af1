// Package tenancy picks the tenant of a request (docs/tenants.md). With a
// tenants domain set, the host <schema>.<domain> (or an extra domain of a
// tenant) or the path prefix /t/<schema>/ picks the tenant of a request;
// the bare domain, public.<domain> and /t/public/ pick the public tenant.
// Without it there is one public tenant and no routing.
package tenancy

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/tcms/tcms/store"
)

// Router scopes requests to their tenants.
type Router struct {
	store  *store.Store
	domain string // "": public only
	log    *slog.Logger
}

// NewRouter routes by the tenants domain; "" serves the public tenant only.
func NewRouter(st *store.Store, domain string, log *slog.Logger) *Router {
	return &Router{store: st, domain: domain, log: log}
}

type tenantKey struct{}

// Of returns the request's tenant, nil for the public tenant.
func Of(ctx context.Context) *store.Tenant {
	t, _ := ctx.Value(tenantKey{}).(*store.Tenant)
	return t
}

// Routed wraps an endpoint with the tenant middleware: it finds the
// request's tenant, answers 404 for an unknown one, and scopes the store
// to it through the context.
func (s *Router) Routed(h http.HandlerFunc) http.HandlerFunc {
	if s.domain == "" {
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

// RouteError is why the request's tenant could not be looked up, when the
// tenant middleware leaves the answer to the endpoint; else nil.
func RouteError(ctx context.Context) error {
	err, _ := ctx.Value(routeErrorKey{}).(error)
	return err
}

// findTenant picks the tenant from the /t/<schema>/ prefix, else from the
// host name.
func (s *Router) findTenant(r *http.Request) (*store.Tenant, error) {
	domain := strings.ToLower(s.domain)
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
