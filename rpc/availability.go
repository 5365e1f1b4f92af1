package rpc

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/tcms/tcms/store"
)

// Whether the database can serve requests, as the endpoints see it
// (docs/running.md, Database outages).

// serveReady answers /readyz: 200 when the database answers, 503 when it
// does not.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	// Not ready until the store has noticed the database is back, as
	// calls are refused until then.
	var err error = store.ErrUnavailable
	if s.store.Available() {
		err = s.store.Ping(ctx)
	}
	if err != nil {
		s.log.Warn("readiness check failed", "err", err)
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
}

// unavailable is store.ErrUnavailable while the database is known to be
// down, or the error that kept the request's tenant from being looked up:
// then every call fails the same way at once, and no credentials are
// checked (nor login allowance spent).
func (s *Server) unavailable(r *http.Request) error {
	if err := routeError(r.Context()); err != nil {
		return err
	}
	if !s.store.Available() {
		return store.ErrUnavailable
	}
	return nil
}
