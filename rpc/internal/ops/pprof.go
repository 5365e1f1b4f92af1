package ops

import (
	"net/http"
	"net/http/pprof"

	"github.com/tcms/tcms/store"
)

// Profiles serves Go's runtime profiles under /debug/pprof/ to superusers
// only (TCMS_PPROF turns it on): profiles show code paths and memory
// contents, and a CPU profile costs the server time while it runs.
// identify finds the caller as for RPC calls: the sessionid cookie, a
// Bearer token or HTTP Basic; nil for anyone else.
func Profiles(identify func(*http.Request) *store.Principal) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := identify(r)
		switch {
		case who == nil:
			w.Header().Set("WWW-Authenticate", `Basic realm="tcms"`)
			http.Error(w, "Profiles are for superusers: log in first.", http.StatusUnauthorized)
		case !who.IsSuperuser:
			http.Error(w, "Profiles are for superusers.", http.StatusForbidden)
		default:
			mux.ServeHTTP(w, r)
		}
	})
}
