package store_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

func TestOutageAndRecovery(t *testing.T) {
	proxy, url := storetest.NewProxy(t, storetest.URL(t))
	var logs storetest.LogBuffer
	st, err := store.OpenWith(t.Context(), url, store.Options{PoolWait: 2 * time.Second,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	ctx := t.Context()
	if _, err := st.Domain(ctx); err != nil || !st.Available() {
		t.Fatalf("before the outage: %v, available %v", err, st.Available())
	}

	proxy.Cut(0)
	storetest.HoldsWithin(t, storetest.Patience, "the store notices the outage", func() bool { return !st.Available() })
	if _, err := st.Domain(ctx); !errors.Is(err, store.ErrUnavailable) || store.ErrorKind(err) != store.Unavailable {
		t.Fatalf("during the outage: want %v, got %v", store.ErrUnavailable, err)
	}
	if err := st.Ping(ctx); err == nil {
		t.Fatal("Ping answered during the outage")
	}

	proxy.Restore()
	storetest.HoldsWithin(t, storetest.Patience, "the store notices the database is back", st.Available)
	if _, err := st.Domain(ctx); err != nil {
		t.Fatalf("after the outage: %v", err)
	}

	// Every line the store wrote is JSON, and says what happened.
	var msgs []string
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		msgs = append(msgs, rec.Level+" "+rec.Msg)
	}
	want := []string{
		"WARN store: notification listener lost, caching off until it reconnects",
		"ERROR store: database unavailable; calls fail until it answers again",
		"INFO store: database available again",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}

func TestPoolBusy(t *testing.T) {
	st, err := store.OpenWith(t.Context(), storetest.URL(t), store.Options{PoolSize: 1, PoolWait: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	hold := make(chan struct{})
	held := make(chan error, 1)
	go func() {
		// Holds the only connection until told to let go.
		held <- st.HoldConnection(t.Context(), hold)
	}()
	storetest.HoldsWithin(t, storetest.Patience, "the connection is taken", func() bool { return st.InUse() == 1 })
	_, err = st.Domain(t.Context())
	close(hold)
	if !errors.Is(err, store.ErrBusy) || !strings.HasPrefix(err.Error(), "server busy") {
		t.Fatalf("with the pool exhausted: want %v, got %v", store.ErrBusy, err)
	}
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if _, err := st.Domain(t.Context()); err != nil {
		t.Fatalf("with the connection back: %v", err)
	}
}

func TestPoolSettings(t *testing.T) {
	const u = "postgres://tcms@db.example.com/tcms"
	cases := []struct {
		url     string
		opts    store.Options
		size    int32
		timeout string
	}{
		{u, store.Options{}, int32(store.DefaultPoolSize()), "0"},
		{u + "?pool_max_conns=7", store.Options{StatementTimeout: 30 * time.Second}, 7, "30000"},
		{u + "?pool_max_conns=7&statement_timeout=5", store.Options{PoolSize: 40, StatementTimeout: 1500 * time.Millisecond}, 40, "1500"},
	}
	for _, c := range cases {
		size, timeout, err := store.PoolSettings(c.url, c.opts)
		if err != nil || size != c.size || timeout != c.timeout {
			t.Errorf("%s %+v: pool %d, statement_timeout %q, %v; want %d, %q", c.url, c.opts, size, timeout, err, c.size, c.timeout)
		}
	}
	if n := store.DefaultPoolSize(); n < 32 || n > 64 {
		t.Errorf("default pool size %d", n)
	}
}
