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
	p, cat := mustCategory(t, admin)
	return caseFixture{ts: ts, tester: ts.callers(t, userName, userPass), nobody: ts.nobody(t), category: cat, product: p}
}

// mustCategory creates the product "tcms" and its category "smoke".
func mustCategory(t *testing.T, call func(string, ...any) jsonResponse) (product, category int64) {
	t.Helper()
	p := mustProduct(t, call, "tcms")
	var cat store.Category
	result(t, call("Category.create", map[string]any{"name": "smoke", "product": p.ID}), &cat)
	return p.ID, cat.ID
}

// mustCases creates n test cases, ids 1 to n on a fresh server.
func mustCases(t *testing.T, call func(string, ...any) jsonResponse, n int) {
	t.Helper()
	_, cat := mustCategory(t, call)
	for i := range n {
		result(t, call("TestCase.create", map[string]any{"summary": fmt.Sprint("case ", i+1), "case_status": 2, "category": cat, "priority": 1}), new(any))
	}
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
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"author_id":1}`:              "[('author', ['This field is required.'])]",
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"setup_duration":"1x"}`:      "[('setup_duration', ['Enter a valid duration.'])]",
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"extra_link":"nope"}`:        "[('extra_link', ['Enter a valid URL.'])]",
		`{"summary":"a","case_status":2,"category":%d,"priority":1,"create_date":"10-10-2010"}`: "[('create_date', ['Invalid date format. Expected YYYY-MM-DD [HH:MM:SS].'])]",
		`{"summary":"a","case_status":2,"category":999,"priority":1,"x":%d}`:                    "[('category', ['Select a valid choice. That choice is not one of the available choices.'])]",
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
	// The grant opens that one case to the getter, nothing else.
	f.nobody.refused(t, "testcases.view_testcase", "TestCase.get", a.id())
	f.nobody.refused(t, "testcases.view_testcase", "TestCase.filter", map[string]any{})
	f.nobody.refused(t, "testcases.view_testcase", "TestCase.filter", map[string]any{"pk": b.id()})
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

func TestTestCaseUpdateHistory(t *testing.T) {
	f := newCaseFixture(t)
	var c wireCase
	v := f.values("before")
	v["create_date"] = "2026-01-06 20:30:00"
	result(t, f.tester.json("TestCase.create", v), &c)
	id := c.id()

	var u wireCase
	r := f.tester.json("TestCase.update", id, map[string]any{"summary": "after", "reviewer": userName, "default_tester": "admin@example.com",
		"create_date": "2020-01-01", "testing_duration": "1 00:00:00", "notes": "line1\nline2"})
	result(t, r, &u)
	if got := keysOf(t, r.Result); got != "arguments,author,author__username,case_status,case_status__name,category,category__name,create_date,default_tester,default_tester__username,extra_link,id,is_automated,notes,priority,priority__value,requirement,reviewer,reviewer__username,script,setup_duration,summary,testing_duration,text" {
		t.Fatalf("keys %s", got)
	}
	if u["summary"] != "after" || u["reviewer__username"] != userName || u["default_tester__username"] != adminName ||
		u["create_date"] != "2026-01-06T20:30:00" || u["testing_duration"] != "1 day, 0:00:00" || u["setup_duration"] != "None" || u["category"] != float64(f.category) {
		t.Fatalf("update: %v", u)
	}
	f.tester.viaXML(t, &u, "TestCase.update", id, map[string]any{"author": "1", "reviewer": nil, "is_automated": true})
	if u["author__username"] != adminName || u["reviewer"] != nil || u["is_automated"] != true || u["summary"] != "after" {
		t.Fatalf("update over XML-RPC: %v", u)
	}
	for values, msg := range map[string]string{
		`{"author":"999"}`:       `Unknown user_id: "999"`,
		`{"author":999}`:         `Unknown user_id: "999"`,
		`{"reviewer":"ghost"}`:   `Unknown user: "ghost"`,
		`{"author":""}`:          `A user name or user ID is required.`,
		`{"summary":""}`:         `[('summary', ['This field is required.'])]`,
		`{"case_status":999}`:    `[('case_status', ['Select a valid choice. That choice is not one of the available choices.'])]`,
		`{"setup_duration":"?"}`: `[('setup_duration', ['Enter a valid duration.'])]`,
	} {
		f.tester.fault(t, CodeInternal, "Internal error: "+msg, "TestCase.update", id, jsonValues(t, values))
	}
	f.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist.", "TestCase.update", 999, map[string]any{"summary": "x"})
	f.nobody.refused(t, "testcases.change_testcase", "TestCase.update", id, map[string]any{"summary": "nobody"})

	var hist []map[string]any
	r = f.tester.json("TestCase.history", id)
	result(t, r, &hist)
	wantKeys(t, r, "arguments", "author_id", "case_status_id", "category_id", "create_date", "default_tester_id", "extra_link",
		"history_change_reason", "history_date", "history_id", "history_type", "history_user_id", "id", "is_automated", "notes",
		"priority_id", "requirement", "reviewer_id", "script", "setup_duration", "summary", "testing_duration", "text")
	if len(hist) != 3 || hist[0]["history_type"] != "~" || hist[2]["history_type"] != "+" || hist[2]["summary"] != "before" ||
		hist[2]["history_change_reason"] != nil || hist[1]["testing_duration"] != 86400.0 || hist[0]["author_id"] != 1.0 {
		t.Fatalf("history: %v", hist)
	}
	reason, _ := hist[1]["history_change_reason"].(string)
	for _, want := range []string{"--- summary\n+++ summary\n@@ -1 +1 @@\n-before\n+after", "+line1\n+line2", "--- reviewer_id"} {
		if !strings.Contains(reason, want) {
			t.Fatalf("change reason lacks %q:\n%s", want, reason)
		}
	}
	if strings.Contains(reason, "create_date") || strings.Contains(reason, "category_id") {
		t.Fatalf("change reason lists unchanged fields:\n%s", reason)
	}
	f.tester.viaXML(t, &hist, "TestCase.history", id, map[string]any{"history_type": "~", "summary": "after"})
	if len(hist) != 2 {
		t.Fatalf("history filtered: %v", hist)
	}
	f.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist.", "TestCase.history", 999)
	f.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'x' into field.", "TestCase.history", id, map[string]any{"x": 1})
	f.nobody.refused(t, "testcases.view_testcase", "TestCase.history", id)
}

func TestTestCaseRemove(t *testing.T) {
	f := newCaseFixture(t)
	var a, b wireCase
	result(t, f.tester.json("TestCase.create", f.values("a")), &a)
	v := f.values("b")
	v["case_status"] = 1
	result(t, f.tester.json("TestCase.create", v), &b)
	f.sql(t, `WITH tg AS (INSERT INTO tags (name) VALUES ('t') RETURNING id),
		ct AS (INSERT INTO test_case_tags (case_id, tag_id) SELECT $1, id FROM tg),
		cm AS (INSERT INTO comments (owner, object_id, comment) VALUES ('testcases_testcase', $1, 'c1'), ('testcases_testcase', $1, 'c2')),
		pr AS (INSERT INTO test_case_properties (case_id, name, value) VALUES ($1, 'os', 'linux'))
		INSERT INTO attachments (owner, object_id, filename, content, creator_id) VALUES ('testcases_testcase', $1, 'f.txt', 'x', 1)`, a.id())

	f.tester.fault(t, CodeInternal, "Internal error: TestCase.remove needs a non-empty query", "TestCase.remove", map[string]any{})
	f.nobody.refused(t, "testcases.delete_testcase", "TestCase.remove", map[string]any{"pk": a.id()})
	f.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'x' into field.", "TestCase.remove", map[string]any{"x": 1})

	// A status in use cannot be deleted (PROPOSED, id 1, is b's).
	f.tester.fault(t, CodeInternal, "Internal error: This test case status is in use by test cases and cannot be deleted.", "TestCaseStatus.remove", 1)

	var got []any
	r := f.tester.json("TestCase.remove", map[string]any{"pk__in": []any{a.id()}})
	result(t, r, &got)
	if fmt.Sprint(got) != "[6 map[attachments.Attachment:1 django_comments.Comment:2 testcases.Property:1 testcases.TestCase:1 testcases.TestCaseTag:1]]" {
		t.Fatalf("remove: %v", got)
	}
	f.tester.viaXML(t, &got, "TestCase.remove", map[string]any{"summary": "b"})
	if fmt.Sprint(got) != "[1 map[testcases.TestCase:1]]" {
		t.Fatalf("remove over XML-RPC: %v", got)
	}
	f.tester.viaXML(t, &got, "TestCase.remove", map[string]any{"summary": "b"})
	if fmt.Sprint(got) != "[0 map[testcases.TestCase:0]]" {
		t.Fatalf("remove of nothing: %v", got)
	}
	var left []wireCase
	result(t, f.tester.json("TestCase.filter"), &left)
	if len(left) != 0 {
		t.Fatalf("left: %v", left)
	}
	f.tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist.", "TestCase.history", a.id())
	f.sql(t, `DO $$ BEGIN
		IF EXISTS (SELECT 1 FROM comments) OR EXISTS (SELECT 1 FROM attachments)
			OR (SELECT count(*) FROM history WHERE history_type = '-') <> 2 THEN RAISE 'leftovers'; END IF;
	END $$`)
	f.tester.viaXML(t, new(any), "TestCaseStatus.remove", 1)
}
