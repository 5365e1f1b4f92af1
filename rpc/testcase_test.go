package rpc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// caseFixture is a product with a category and a tester able to write cases.
type caseFixture struct {
	ts       *testServer
	tester   rpcCaller
	nobody   rpcCaller
	category int64
	product  int64
}

func newCaseFixture(t *testing.T) caseFixture {
	ts := mustServer(t)
	admin := ts.as(adminName, adminPass)
	p := mustProduct(t, admin, "tcms")
	var cat store.Category
	result(t, admin("Category.create", map[string]any{"name": "smoke", "product": p.ID}), &cat)
	return caseFixture{ts: ts, tester: ts.callers(t, userName, userPass), nobody: ts.nobody(t), category: cat.ID, product: p.ID}
}

// sql runs statements behind the server's back.
func (f caseFixture) sql(t *testing.T, query string, args ...any) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), f.ts.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	if _, err := conn.Exec(t.Context(), query, args...); err != nil {
		t.Fatal(err)
	}
}

// wireCase is a test case as the wire shows it (naive times as text).
type wireCase map[string]any

func (c wireCase) id() int64 { return int64(c["id"].(float64)) }

func (f caseFixture) values(summary string) map[string]any {
	return map[string]any{"summary": summary, "case_status": 2, "category": f.category, "priority": "1"}
}

func TestTestCaseCreate(t *testing.T) {
	f := newCaseFixture(t)
	var c wireCase
	v := f.values("Login works")
	v["setup_duration"], v["testing_duration"], v["create_date"] = "2 20:10:00", "00:00:30", "2026-01-06 20:30:00"
	r := f.tester.json("TestCase.create", v)
	result(t, r, &c)
	if got := keysOf(t, r.Result); got != "arguments,author,case_status,category,create_date,default_tester,extra_link,id,is_automated,notes,priority,requirement,reviewer,script,setup_duration,summary,testing_duration,text" {
		t.Fatalf("keys %s", got)
	}
	if c["setup_duration"] != "2 days, 20:10:00" || c["testing_duration"] != "0:00:30" || c["author"] != 2.0 || c["is_automated"] != false ||
		c["create_date"] != "2026-01-06T20:30:00" {
		t.Fatalf("create: %+v", c)
	}
	var x wireCase
	f.tester.viaXML(t, &x, "TestCase.create", map[string]any{"summary": "XML", "case_status": 1, "category": f.category, "priority": 2,
		"author": 1, "is_automated": true, "setup_duration": 90, "extra_link": "https://example.com/x"})
	if x["setup_duration"] != "0:01:30" || x["testing_duration"] != "None" || x["author"] != 1.0 || x["is_automated"] != true || x["extra_link"] != "https://example.com/x" {
		t.Fatalf("create over XML-RPC: %+v", x)
	}
	for values, msg := range map[string]string{
		`{}`: "[('summary', ['This field is required.']), ('case_status', ['This field is required.']), ('category', ['This field is required.']), ('priority', ['This field is required.'])]",
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"author_id":1}`:         "[('author', ['This field is required.'])]",
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"setup_duration":"1x"}`: "[('setup_duration', ['Enter a valid duration.'])]",
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"extra_link":"nope"}`:   "[('extra_link', ['Enter a valid URL.'])]",
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"create_date":"10-10-2010"}`: "Invalid date format. Expected YYYY-MM-DD [HH:MM:SS].",
		`{"summary":"a","case_status":2,"category":999,"priority":1,"x":%d}`:                    "Select a valid choice. That choice is not one of the available choices.",
	} {
		if strings.Contains(values, "%d") {
			values = fmt.Sprintf(values, f.category)
		}
		f.tester.fault(t, CodeInternal, "Internal error: "+msg, "TestCase.create", jsonValues(t, values))
	}
	f.nobody.refused(t, "testcases.add_testcase", "TestCase.create", f.values("no"))
	var n []wireCase
	result(t, f.tester.json("TestCase.filter", map[string]any{"summary": "no"}), &n)
	if len(n) != 0 {
		t.Fatal("a refused create wrote a case")
	}
}

var caseFilterKeys = []string{"arguments", "author", "author__username", "case_status", "case_status__name", "category", "category__name",
	"create_date", "default_tester", "default_tester__username", "expected_duration", "extra_link", "history_date", "id", "is_automated",
	"notes", "priority", "priority__value", "requirement", "reviewer", "reviewer__username", "script", "setup_duration", "summary",
	"testing_duration", "text"}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"1 10:00:00": 34 * time.Hour, "00:01:00": time.Minute, "30": 30 * time.Second, "1.5": 1500 * time.Millisecond,
		"P1DT10H": 34 * time.Hour, "PT1M30S": 90 * time.Second, "3 days 04:05:06": 76*time.Hour + 5*time.Minute + 6*time.Second,
		"-1 day, 23:00:00": -time.Hour, "2 days, 20:10:00": 68*time.Hour + 10*time.Minute,
	} {
		if got, ok := parseDuration(in); !ok || got != want {
			t.Errorf("%q: got %v %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "x", "1:2:3:4", "P", "PT"} {
		if _, ok := parseDuration(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTestCaseFilterGetSortkeys(t *testing.T) {
	f := newCaseFixture(t)
	var a, b wireCase
	v := f.values("alpha")
	v["setup_duration"], v["testing_duration"] = "00:01:00", "30"
	result(t, f.tester.json("TestCase.create", v), &a)
	result(t, f.tester.json("TestCase.create", f.values("beta")), &b)
	f.sql(t, `WITH pl AS (INSERT INTO test_plans (name, product_version_id, author_id, product_id, type_id)
		SELECT 'plan', v.id, 1, v.product_id, 1 FROM versions v WHERE v.product_id = $1 LIMIT 1 RETURNING id),
		tg AS (INSERT INTO tags (name) VALUES ('fast') RETURNING id),
		ct AS (INSERT INTO test_case_tags (case_id, tag_id) SELECT $2, id FROM tg)
		INSERT INTO test_case_plans (plan_id, case_id, sortkey) SELECT id, $2, 10 FROM pl UNION ALL SELECT id, $3, NULL FROM pl`,
		f.product, a.id(), b.id())

	var rows []wireCase
	r := f.tester.json("TestCase.filter")
	result(t, r, &rows)
	wantKeys(t, r, caseFilterKeys...)
	if len(rows) != 2 || rows[0].id() != a.id() || rows[0]["setup_duration"] != 60.0 || rows[0]["testing_duration"] != 30.0 || rows[0]["expected_duration"] != 90.0 ||
		rows[1]["setup_duration"] != nil || rows[1]["expected_duration"] != 0.0 || rows[0]["category__name"] != "smoke" || rows[0]["priority__value"] != "P1" ||
		rows[0]["case_status__name"] != "CONFIRMED" || rows[0]["author__username"] != userName || rows[0]["history_date"] == nil {
		t.Fatalf("filter: %+v", rows)
	}
	for _, c := range []struct {
		query map[string]any
		want  int
	}{
		{map[string]any{"tag__name": "fast"}, 1},
		{map[string]any{"plan": 1}, 2},
		{map[string]any{"category__product": f.product, "summary__icontains": "ALP"}, 1},
		{map[string]any{"pk__in": []any{a.id(), b.id()}, "priority__value": "P1", "author__username": userName}, 2},
		{map[string]any{"component__name": "x"}, 0},
	} {
		var got []wireCase
		f.tester.viaXML(t, &got, "TestCase.filter", c.query)
		if len(got) != c.want {
			t.Fatalf("%v: got %d", c.query, len(got))
		}
	}
	f.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "TestCase.filter", map[string]any{"nope": 1})
	f.nobody.refused(t, "testcases.view_testcase", "TestCase.filter", map[string]any{})

	var one wireCase
	f.tester.viaXML(t, &one, "TestCase.get", a.id())
	if one.id() != a.id() || one["summary"] != "alpha" {
		t.Fatalf("get: %+v", one)
	}
	f.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist.", "TestCase.get", 999)
	f.nobody.refused(t, "testcases.view_testcase", "TestCase.get", a.id())
	if _, err := f.ts.Store.GrantObject(t.Context(), store.Principal{UserID: 1, IsSuperuser: true}, store.ObjectGrantSpec{
		Username: "nobody", Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: b.id()}); err != nil {
		t.Fatal(err)
	}
	f.nobody.viaJSON(t, &one, "TestCase.get", b.id())
	if one.id() != b.id() {
		t.Fatalf("get with a grant: %+v", one)
	}
	if _, err := f.ts.Store.GrantObject(t.Context(), store.Principal{UserID: 1, IsSuperuser: true}, store.ObjectGrantSpec{
		Username: "nobody", Permission: "testcases.view_testcase", ObjectType: "TestCase", ObjectID: 999}); err == nil {
		t.Fatal("a grant on a missing case")
	}

	var keys map[string]*int64
	f.tester.viaJSON(t, &keys, "TestCase.sortkeys", map[string]any{"plan": 1})
	if len(keys) != 2 || *keys[fmt.Sprint(a.id())] != 10 || keys[fmt.Sprint(b.id())] != nil {
		t.Fatalf("sortkeys: %v", keys)
	}
	f.tester.viaXML(t, &keys, "TestCase.sortkeys")
	if len(keys) != 2 {
		t.Fatalf("sortkeys of all: %v", keys)
	}
	f.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'x' into field.", "TestCase.sortkeys", map[string]any{"x": 1})
	f.nobody.refused(t, "testcases.view_testcase", "TestCase.sortkeys", map[string]any{})
}
