// Package ops serves what operators watch: call counts and latencies
// (/metrics), liveness and readiness (/healthz, /readyz) and, for
// superusers, Go's profiles (/debug/pprof/).
package ops

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics counts calls by method and fault code and their latency by
// method, and serves them in the Prometheus text format. The label set
// is bounded: only registered method names (others count as "unknown")
// and the fixed fault codes.
type Metrics struct {
	methods map[string]*methodStats
}

// buckets are the latency histogram's upper bounds in seconds.
var buckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1}

type methodStats struct {
	codes  sync.Map // fault code -> *atomic.Int64
	counts [13]atomic.Int64
	sumNs  atomic.Int64
}

// NewMetrics counts the calls of these methods, and of "unknown".
func NewMetrics(methods []string) *Metrics {
	m := &Metrics{methods: map[string]*methodStats{"unknown": {}}}
	for _, name := range methods {
		m.methods[name] = &methodStats{}
	}
	return m
}

// Observe counts one call and its duration.
func (m *Metrics) Observe(method string, code int, d time.Duration) {
	st := m.methods[method]
	if st == nil {
		st = m.methods["unknown"]
	}
	n, _ := st.codes.LoadOrStore(code, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	i := sort.SearchFloat64s(buckets, d.Seconds())
	st.counts[i].Add(1)
	st.sumNs.Add(int64(d))
}

// Handler serves the counts.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		names := make([]string, 0, len(m.methods))
		for name := range m.methods {
			names = append(names, name)
		}
		sort.Strings(names)
		fmt.Fprintln(w, "# HELP tcms_rpc_calls_total RPC calls by method and fault code (0 = success).")
		fmt.Fprintln(w, "# TYPE tcms_rpc_calls_total counter")
		for _, name := range names {
			m.methods[name].codes.Range(func(code, n any) bool {
				fmt.Fprintf(w, "tcms_rpc_calls_total{method=%q,code=\"%d\"} %d\n", name, code, n.(*atomic.Int64).Load())
				return true
			})
		}
		fmt.Fprintln(w, "# HELP tcms_rpc_duration_seconds RPC call latency by method.")
		fmt.Fprintln(w, "# TYPE tcms_rpc_duration_seconds histogram")
		for _, name := range names {
			st := m.methods[name]
			var total int64
			for i, le := range buckets {
				total += st.counts[i].Load()
				fmt.Fprintf(w, "tcms_rpc_duration_seconds_bucket{method=%q,le=%q} %d\n", name, strconv.FormatFloat(le, 'g', -1, 64), total)
			}
			total += st.counts[len(buckets)].Load()
			fmt.Fprintf(w, "tcms_rpc_duration_seconds_bucket{method=%q,le=\"+Inf\"} %d\n", name, total)
			fmt.Fprintf(w, "tcms_rpc_duration_seconds_sum{method=%q} %g\n", name, float64(st.sumNs.Load())/1e9)
			fmt.Fprintf(w, "tcms_rpc_duration_seconds_count{method=%q} %d\n", name, total)
		}
	})
}
