package ops

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/tcms/tcms/store"
)

// Live answers /healthz: the process serves HTTP.
func Live(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") }

// Ready answers /readyz: 200 when the database answers, 503 when it does
// not (docs/running.md, Database outages).
func Ready(st *store.Store, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		// Not ready until the store has noticed the database is back, as
		// calls are refused until then.
		var err error = store.ErrUnavailable
		if st.Available() {
			err = st.Ping(ctx)
		}
		if err != nil {
			log.Warn("readiness check failed", "err", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ready\n")
	}
}
