package rpc

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// catastrophic is a regular expression PostgreSQL backtracks on for
// minutes against the summary victim.
const catastrophic, victim = `^((.*)\2)*$`, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// mustVictim creates the case the catastrophic expression gets stuck on.
func mustVictim(t *testing.T, admin func(string, ...any) jsonResponse) {
	t.Helper()
	_, cat := mustCategory(t, admin)
	result(t, admin("TestCase.create", map[string]any{"summary": victim, "case_status": 2, "category": cat, "priority": 1}), new(any))
}

// regexRunning counts the TestCase.filter statements running in the
// server's database, asking on conn: in the tests that call it, the ones
// stuck on the catastrophic expression. (pg_stat_activity shows only the
// start of a statement, which the expression is not in.)
func regexRunning(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	var n int
	err := conn.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state = 'active' AND query LIKE '%tc.summary%' AND pid <> pg_backend_pid()`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatementTimeout(t *testing.T) {
	ts := mustServerOn(t, store.Options{StatementTimeout: time.Second}, nil, func(*Config) {})
	admin := ts.callers(t, adminName, adminPass)
	mustVictim(t, admin.json)
	admin.fault(t, CodeInternal, "Internal error: the query took longer than 1s and was cancelled",
		"TestCase.filter", map[string]any{"summary__regex": catastrophic})
	var got []any
	admin.viaJSON(t, &got, "TestCase.filter", map[string]any{"summary__regex": "^a+$"})
	if len(got) != 1 {
		t.Fatalf("after a timeout: %d cases", len(got))
	}
}

// regexCall starts the catastrophic filter over JSON-RPC as the admin and
// returns a function that abandons it, as cleanup does at the latest.
func (ts *testServer) regexCall(wg *sync.WaitGroup) (abandon func()) {
	ctx, cancel := context.WithCancel(context.Background())
	ts.t.Cleanup(cancel)
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"TestCase.filter","params":[{"summary__regex":%q}]}`, catastrophic)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/json-rpc/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(adminName, adminPass)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if resp, err := http.DefaultClient.Do(req); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	return cancel
}

func TestClientGoneStopsQuery(t *testing.T) {
	ts := mustServerOn(t, store.Options{StatementTimeout: time.Minute}, nil, func(*Config) {})
	mustVictim(t, ts.as(adminName, adminPass))
	conn := ts.mustDB()
	var wg sync.WaitGroup
	abandon := ts.regexCall(&wg)
	storetest.HoldsWithin(t, storetest.Patience, "the expression runs", func() bool { return regexRunning(t, conn) == 1 })
	abandon()
	wg.Wait()
	// Sooner than the statement timeout would have stopped it.
	storetest.HoldsWithin(t, storetest.Patience, "the abandoned statement stops", func() bool { return regexRunning(t, conn) == 0 })
}

func TestPoolExhausted(t *testing.T) {
	ts := mustServerOn(t, store.Options{PoolSize: 2, PoolWait: 300 * time.Millisecond, StatementTimeout: time.Minute}, nil, func(*Config) {})
	tester := ts.callers(t, userName, userPass)
	mustVictim(t, ts.as(adminName, adminPass))
	conn := ts.mustDB()
	var wg sync.WaitGroup
	for range 2 {
		ts.regexCall(&wg)
	}
	storetest.HoldsWithin(t, storetest.Patience, "both connections are taken", func() bool { return regexRunning(t, conn) == 2 })
	tester.fault(t, CodeInternal, "Internal error: server busy: every database connection is in use; try again shortly",
		"Product.filter", map[string]any{})
}
