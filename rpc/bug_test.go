package rpc

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// bugBed is an execBed with the version of its builds and one bug,
// "first", created by admin on its product, version and build b1.
type bugBed struct {
	*execBed
	version, bug int64
}

func mustBugBed(t *testing.T) *bugBed {
	t.Helper()
	b := &bugBed{execBed: mustExecBed(t)}
	if err := b.conn.QueryRow(t.Context(), "SELECT version_id FROM builds WHERE id = $1", b.build).Scan(&b.version); err != nil {
		t.Fatal(err)
	}
	b.bug = b.mustBug(t, "first")
	return b
}

// values are Bug.create values on the bed's product, version and build,
// plus extra key/value pairs.
func (b *bugBed) values(summary string, extra ...any) map[string]any {
	v := map[string]any{"summary": summary, "product": b.product, "version": b.version, "build": b.build}
	for i := 0; i+1 < len(extra); i += 2 {
		v[extra[i].(string)] = extra[i+1]
	}
	return v
}

// mustBug creates a bug as admin and returns its id.
func (b *bugBed) mustBug(t *testing.T, summary string, extra ...any) int64 {
	t.Helper()
	var bug wireBug
	result(t, b.admin.json("Bug.create", b.values(summary, extra...)), &bug)
	return bug.ID
}

// sqlText runs a query behind the server's back that answers one text.
func sqlText(t *testing.T, conn *pgx.Conn, sql string, args ...any) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(t.Context(), sql, args...).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// bugs counts the bugs.
func (b *bugBed) bugs(t *testing.T) int {
	t.Helper()
	return count(t, b.conn, "SELECT count(*) FROM bugs")
}

// mustBugRow adds, behind the server's back, a bug reported by admin on
// a new product with its own version and build, and returns its id.
func mustBugRow(t *testing.T, conn *pgx.Conn, product string) int64 {
	t.Helper()
	_, productID := mustCase(t, conn, product)
	var id int64
	err := conn.QueryRow(t.Context(), `WITH v AS (INSERT INTO versions (value, product_id) VALUES ('v1', $1) RETURNING id),
	b AS (INSERT INTO builds (name, version_id) SELECT 'b1', id FROM v RETURNING id, version_id)
	INSERT INTO bugs (summary, reporter_id, product_id, version_id, build_id)
	SELECT 'a bug', (SELECT id FROM users WHERE username = 'admin'), $1, b.version_id, b.id FROM b RETURNING id`, productID).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

const (
	missingBug  = "Internal error: Bug matching query does not exist."
	bugKeys     = "assignee,build,created_at,executions,id,product,reporter,severity,status,summary,tags,version"
	bugRowKeys  = "assignee__username,build__name,created_at,pk,product__name,reporter__username,severity__color,severity__icon,severity__name,summary,version__value"
	bugCanKeys  = "assignee,build,created_at,id,product,reporter,severity,status,summary,version"
	requiredBug = "Internal error: [('summary', ['This field is required.']), ('product', ['This field is required.']), ('version', ['This field is required.']), ('build', ['This field is required.'])]"
)

// wireBug is S-Bug as the wire shows it.
type wireBug struct {
	ID         int64   `json:"id"`
	Summary    string  `json:"summary"`
	Status     bool    `json:"status"`
	Reporter   int64   `json:"reporter"`
	Assignee   *int64  `json:"assignee"`
	Product    int64   `json:"product"`
	Version    int64   `json:"version"`
	Build      int64   `json:"build"`
	Severity   *int64  `json:"severity"`
	Executions []int64 `json:"executions"`
	Tags       []int64 `json:"tags"`
	CreatedAt  string  `json:"created_at"`
}

// wireBugRow is S-Bug-f as the wire shows it.
type wireBugRow struct {
	PK               int64   `json:"pk"`
	ProductName      string  `json:"product__name"`
	VersionValue     string  `json:"version__value"`
	BuildName        string  `json:"build__name"`
	ReporterUsername string  `json:"reporter__username"`
	AssigneeUsername *string `json:"assignee__username"`
}

func TestBugCreate(t *testing.T) {
	b := mustBugBed(t)
	t.Run("OK", func(t *testing.T) {
		var bug wireBug
		r := b.tester.json("Bug.create", b.values("crash", "text", "not stored"))
		result(t, r, &bug)
		if keys := keysOf(t, r.Result); keys != bugKeys {
			t.Fatalf("S-Bug keys %s", keys)
		}
		if bug.Summary != "crash" || !bug.Status || bug.Reporter != b.testerID || bug.Assignee != nil || bug.Severity != nil ||
			bug.Product != b.product || bug.Version != b.version || bug.Build != b.build || bug.Executions == nil || bug.Tags == nil || bug.CreatedAt == "" {
			t.Fatalf("create: %s", r.Result)
		}
		var sev store.WeightedStatus
		result(t, b.admin.json("Severity.create", map[string]any{"name": "High", "weight": 10, "icon": "fa fa-fire", "color": "#f00"}), &sev)
		b.admin.viaXML(t, &bug, "Bug.create", b.values("closed one", "status", false, "assignee", "tester@example.com",
			"severity", itoa(sev.ID), "reporter", b.testerID, "created_at", "2020-01-02 03:04:05"))
		if bug.Status || bug.Assignee == nil || *bug.Assignee != b.testerID || bug.Severity == nil || *bug.Severity != sev.ID ||
			bug.Reporter != b.testerID || bug.CreatedAt != "2020-01-02T03:04:05Z" || len(bug.Executions) != 0 {
			t.Fatalf("create over XML-RPC: %+v", bug)
		}
		if n := count(t, b.conn, "SELECT count(*) FROM comments WHERE owner = 'bugs_bug'"); n != 0 {
			t.Fatalf("text made %d comments", n)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := b.bugs(t)
		for _, c := range []struct {
			values map[string]any
			msg    string
		}{
			{map[string]any{}, requiredBug},
			{b.values(""), "Internal error: [('summary', ['This field is required.'])]"},
			{b.values(string(make([]byte, 256))), "Internal error: [('summary', ['Ensure this value has at most 255 characters (it has 256).'])]"},
			{b.values("x", "product", 99999), "Internal error: [('product', ['" + msgChoice + "'])]"},
			{b.values("x", "build", "nope"), "Internal error: [('build', ['" + msgChoice + "'])]"},
			{b.values("x", "severity", 99999), "Internal error: [('severity', ['" + msgChoice + "'])]"},
			{b.values("x", "reporter", 99999), "Internal error: [('reporter', ['" + msgChoice + "'])]"},
			{b.values("x", "assignee", "ghost"), `Internal error: Unknown user: "ghost"`},
			{b.values("x", "assignee", 99999), `Internal error: Unknown user_id: "99999"`},
			{b.values("x", "created_at", "10-10-2010"), "Internal error: [('created_at', ['" + badDate + "'])]"},
			{b.values("x", "status", "maybe"), "Internal error: [('status', ['Enter a valid boolean.'])]"},
		} {
			b.tester.fault(t, CodeInternal, c.msg, "Bug.create", c.values)
		}
		if b.bugs(t) != before {
			t.Fatal("a refused create wrote a bug")
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := b.bugs(t)
		b.ts.nobody(t).refused(t, "bugs.add_bug", "Bug.create", b.values("x"))
		if b.bugs(t) != before {
			t.Fatal("a refused create wrote a bug")
		}
	})
}

func TestBugFilterAndGet(t *testing.T) {
	b := mustBugBed(t)
	closed := b.mustBug(t, "second", "status", false, "assignee", userName)
	result(t, b.admin.json("Bug.add_execution", closed, b.execID), new(any))
	result(t, b.admin.json("Bug.add_tag", closed, "regression"), new(any))
	nobody := b.ts.nobody(t)

	t.Run("Filter", func(t *testing.T) {
		var rows []wireBugRow
		r := b.tester.json("Bug.filter", map[string]any{"executions": b.execID})
		result(t, r, &rows)
		if keys := keysOf(t, r.Result[1:len(r.Result)-1]); keys != bugRowKeys {
			t.Fatalf("S-Bug-f keys %s", keys)
		}
		if len(rows) != 1 || rows[0].PK != closed || rows[0].ProductName != "P" || rows[0].VersionValue != "1.0" ||
			rows[0].BuildName != "b1" || rows[0].ReporterUsername != adminName || rows[0].AssigneeUsername == nil || *rows[0].AssigneeUsername != userName {
			t.Fatalf("filter(executions): %s", r.Result)
		}
		for query, want := range map[string]map[string]any{
			"[" + itoa(b.bug) + " " + itoa(closed) + "]": {},
			"[" + itoa(b.bug) + "]":                      {"status": true},
			"[" + itoa(closed) + "]":                     {"tags__name": "regression", "executions__run": b.runID, "pk__in": []any{b.bug, closed}},
			"[]":                                         {"assignee__username": adminName},
		} {
			b.tester.viaXML(t, &rows, "Bug.filter", want)
			ids := make([]int64, len(rows))
			for i, row := range rows {
				ids[i] = row.PK
			}
			if fmt.Sprint(ids) != query {
				t.Fatalf("filter(%v): %v, want %s", want, ids, query)
			}
		}
		var canonical []wireBug
		r = b.tester.json("Bug.filter_canonical", map[string]any{"summary__startswith": "sec"})
		result(t, r, &canonical)
		if keys := keysOf(t, r.Result[1:len(r.Result)-1]); keys != bugCanKeys {
			t.Fatalf("S-Bug-c keys %s", keys)
		}
		b.tester.viaXML(t, &canonical, "Bug.filter_canonical", map[string]any{"summary__startswith": "sec"})
		if len(canonical) != 1 || canonical[0].ID != closed || canonical[0].Status || canonical[0].Reporter != b.adminID ||
			canonical[0].Assignee == nil || *canonical[0].Assignee != b.testerID || canonical[0].Build != b.build {
			t.Fatalf("filter_canonical: %+v", canonical)
		}
		b.tester.empty(t, "Bug.filter", map[string]any{"pk": 99999})
	})
	t.Run("FilterErr", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field. Choices are: assignee, assignee_id, build, build_id, created_at, executions, id, product, product_id, reporter, reporter_id, severity, severity_id, status, summary, tags, version, version_id.",
			"Bug.filter", map[string]any{"nope": 1})
		b.tester.fault(t, CodeInternal, "Internal error: Field 'id' expected a number but got 'x'.", "Bug.filter_canonical", map[string]any{"pk": "x"})
		wantFault(t, b.tester.json("Bug.filter"), CodeInvalidParams, "Invalid parameters")
		nobody.refused(t, "bugs.view_bug", "Bug.filter", map[string]any{})
		nobody.refused(t, "bugs.view_bug", "Bug.filter_canonical", map[string]any{})
	})
	t.Run("Get", func(t *testing.T) {
		var bug wireBug
		r := b.tester.json("Bug.get", closed)
		result(t, r, &bug)
		if keys := keysOf(t, r.Result); keys != bugKeys {
			t.Fatalf("Bug.get keys %s", keys)
		}
		var tag int64
		if err := b.conn.QueryRow(t.Context(), "SELECT id FROM tags WHERE name = 'regression'").Scan(&tag); err != nil {
			t.Fatal(err)
		}
		if bug.ID != closed || bug.Status || fmt.Sprint(bug.Executions) != fmt.Sprint([]int64{b.execID}) || fmt.Sprint(bug.Tags) != fmt.Sprint([]int64{tag}) {
			t.Fatalf("get: %s", r.Result)
		}
		b.tester.viaXML(t, &bug, "Bug.get", b.bug)
		if bug.ID != b.bug || bug.Summary != "first" || len(bug.Executions) != 0 || len(bug.Tags) != 0 {
			t.Fatalf("get over XML-RPC: %+v", bug)
		}
		b.tester.fault(t, CodeInternal, missingBug, "Bug.get", 99999)
	})
	t.Run("GetWithGrant", func(t *testing.T) {
		nobody.refused(t, "bugs.view_bug", "Bug.get", closed)
		if _, err := b.ts.Store.GrantObject(t.Context(), store.Principal{UserID: b.adminID, IsSuperuser: true}, store.ObjectGrantSpec{
			Username: "nobody", Permission: "bugs.view_bug", ObjectType: "Bug", ObjectID: closed}); err != nil {
			t.Fatal(err)
		}
		var bug wireBug
		nobody.viaXML(t, &bug, "Bug.get", closed)
		if bug.ID != closed {
			t.Fatalf("get with a grant: %+v", bug)
		}
		nobody.refused(t, "bugs.view_bug", "Bug.get", b.bug)
		nobody.refused(t, "bugs.view_bug", "Bug.filter", map[string]any{"pk": closed})
	})
}

func TestBugRemove(t *testing.T) {
	b := mustBugBed(t)
	kept := b.mustBug(t, "kept")
	result(t, b.tester.json("Bug.add_comment", b.bug, "gone with the bug"), new(any))
	result(t, b.tester.json("Bug.add_comment", kept, "stays"), new(any))
	result(t, b.tester.json("Bug.add_attachment", b.bug, "log.txt", b64("hello")), new(any))
	result(t, b.tester.json("Bug.add_execution", b.bug, b.execID), new(any))
	result(t, b.tester.json("Bug.add_tag", b.bug, "t1"), new(any))
	snapshot := func() string {
		return sqlText(t, b.conn, `SELECT concat_ws(' ', (SELECT count(*) FROM bugs), (SELECT count(*) FROM comments),
			(SELECT count(*) FROM attachments), (SELECT count(*) FROM bug_executions), (SELECT count(*) FROM bug_tags),
			(SELECT count(*) FROM test_executions), (SELECT count(*) FROM tags))`)
	}
	if s := snapshot(); s != "2 2 1 1 1 1 1" {
		t.Fatalf("before: %s", s)
	}

	t.Run("ErrPermission", func(t *testing.T) {
		b.ts.nobody(t).refused(t, "bugs.delete_bug", "Bug.remove", map[string]any{"pk": b.bug})
		if s := snapshot(); s != "2 2 1 1 1 1 1" {
			t.Fatalf("a refused remove wrote: %s", s)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, "Internal error: Bug.remove needs a non-empty query; an empty one would delete every bug.", "Bug.remove", map[string]any{})
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nope' into field.", "Bug.remove", map[string]any{"nope": 1})
		wantFault(t, b.tester.json("Bug.remove"), CodeInvalidParams, "Invalid parameters")
		b.tester.viaXML(t, new(any), "Bug.remove", map[string]any{"pk": 99999}) // nothing matched is fine
		if s := snapshot(); s != "2 2 1 1 1 1 1" {
			t.Fatalf("after refused removes: %s", s)
		}
	})
	t.Run("OK", func(t *testing.T) {
		r := b.tester.json("Bug.remove", map[string]any{"pk__in": []any{b.bug}})
		result(t, r, new(any))
		if string(r.Result) != "null" {
			t.Fatalf("remove returned %s", r.Result)
		}
		// The execution and the tag stay; the bug's links to them go.
		if s := snapshot(); s != "1 1 0 0 0 1 1" {
			t.Fatalf("after remove: %s", s)
		}
		b.tester.viaXML(t, new(any), "Bug.remove", map[string]any{"summary": "kept"})
		if s := snapshot(); s != "0 0 0 0 0 1 1" {
			t.Fatalf("after remove over XML-RPC: %s", s)
		}
	})
}

func TestBugTagsAndExecutions(t *testing.T) {
	b := mustBugBed(t)
	links := func() string {
		return sqlText(t, b.conn, `SELECT concat_ws(' ', (SELECT string_agg(t.name, ',' ORDER BY t.name) FROM bug_tags bt JOIN tags t ON t.id = bt.tag_id),
			(SELECT string_agg(execution_id::text, ',' ORDER BY execution_id) FROM bug_executions), (SELECT count(*) FROM tags))`)
	}
	other := b.mustExecution(t)

	t.Run("OK", func(t *testing.T) {
		r := b.tester.json("Bug.add_tag", b.bug, "ui")
		result(t, r, new(any))
		if string(r.Result) != "null" {
			t.Fatalf("add_tag returned %s", r.Result)
		}
		b.tester.viaXML(t, new(any), "Bug.add_tag", b.bug, "ui") // twice changes nothing
		b.tester.viaXML(t, new(any), "Bug.add_tag", b.bug, "db")
		result(t, b.tester.json("Bug.add_execution", b.bug, b.execID), new(any))
		b.tester.viaXML(t, new(any), "Bug.add_execution", b.bug, b.execID)
		if s := links(); s != "db,ui "+itoa(b.execID)+" 2" {
			t.Fatalf("after adds: %s", s)
		}
		b.tester.viaXML(t, new(any), "Bug.remove_tag", b.bug, "ui")
		b.tester.viaXML(t, new(any), "Bug.add_execution", b.bug, other)
		if s := links(); s != "db "+itoa(b.execID)+","+itoa(other)+" 2" {
			t.Fatalf("after remove_tag: %s", s)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		before := links()
		b.tester.fault(t, CodeInternal, missingBug, "Bug.add_tag", 99999, "ui")
		b.tester.fault(t, CodeInternal, missingBug, "Bug.remove_tag", 99999, "ui")
		b.tester.fault(t, CodeInternal, "Internal error: Tag matching query does not exist.", "Bug.remove_tag", b.bug, "never-made")
		b.tester.fault(t, CodeInternal, missingBug, "Bug.add_execution", 99999, b.execID)
		b.tester.fault(t, CodeInternal, missingExecution, "Bug.add_execution", b.bug, 99999)
		if links() != before {
			t.Fatalf("refused calls wrote: %s", links())
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, "Internal error: tag: This field is required.", "Bug.add_tag", b.bug, "")
		wantFault(t, b.tester.json("Bug.add_execution", b.bug, "x"), CodeInvalidParams, "Invalid parameters")
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := links()
		nobody := b.ts.nobody(t)
		nobody.refused(t, "bugs.add_bug_tags", "Bug.add_tag", b.bug, "new")
		nobody.refused(t, "bugs.delete_bug_tags", "Bug.remove_tag", b.bug, "db")
		nobody.refused(t, "bugs.add_bug_executions", "Bug.add_execution", b.bug, b.execID)
		// A tagger without management.add_tag tags only with existing tags.
		if err := b.ts.Store.SetUserPermissions(t.Context(), store.Principal{UserID: b.adminID, IsSuperuser: true}, "nobody", []string{"bugs.add_bug_tags"}, true); err != nil {
			t.Fatal(err)
		}
		nobody.fault(t, CodeInternal, "Internal error: Tag matching query does not exist.", "Bug.add_tag", b.bug, "brand-new")
		if links() != before {
			t.Fatalf("refused calls wrote: %s", links())
		}
	})
}

func TestBugCommentsAndAttachments(t *testing.T) {
	b := mustBugBed(t)
	nobody := b.ts.nobody(t)
	t.Run("Comments", func(t *testing.T) {
		var c struct {
			ObjectPK    int64  `json:"object_pk"`
			ContentType int64  `json:"content_type"`
			UserName    string `json:"user_name"`
			Comment     string `json:"comment"`
		}
		r := b.tester.json("Bug.add_comment", b.bug, "first")
		result(t, r, &c)
		if c.ObjectPK != b.bug || c.ContentType != 3 || c.UserName != userName || c.Comment != "first" {
			t.Fatalf("add_comment: %s", r.Result)
		}
		b.admin.viaXML(t, new(any), "Bug.add_comment", b.bug, "as tester", b.testerID, "2020-01-02 03:04:05")
		b.tester.viaXML(t, new(any), "Bug.add_comment", b.bug, "override ignored", b.adminID)
		var list []struct {
			ObjectPK      string `json:"object_pk"`
			ContentTypeID int64  `json:"content_type_id"`
			UserName      string `json:"user_name"`
			SubmitDate    string `json:"submit_date"`
		}
		b.tester.viaXML(t, &list, "Bug.get_comments", b.bug)
		if len(list) != 3 || list[0].ObjectPK != itoa(b.bug) || list[0].ContentTypeID != 3 || list[1].UserName != userName ||
			list[1].SubmitDate != "2020-01-02T03:04:05Z" || list[2].UserName != userName {
			t.Fatalf("get_comments: %+v", list)
		}
		b.tester.fault(t, CodeInternal, "Internal error: [('comment', ['This field is required.'])]", "Bug.add_comment", b.bug, "")
		b.tester.fault(t, CodeInternal, missingBug, "Bug.add_comment", 99999, "x")
		b.tester.fault(t, CodeInternal, missingBug, "Bug.get_comments", 99999)
		nobody.refused(t, "django_comments.add_comment", "Bug.add_comment", b.bug, "x")
		nobody.refused(t, "django_comments.view_comment", "Bug.get_comments", b.bug)
		if n := count(t, b.conn, "SELECT count(*) FROM comments"); n != 3 {
			t.Fatalf("comments: %d", n)
		}
	})
	t.Run("Attachments", func(t *testing.T) {
		result(t, b.tester.json("Bug.add_attachment", b.bug, "log.txt", b64("hello")), new(any))
		b.admin.viaXML(t, new(any), "Bug.add_attachment", b.bug, "trace.txt", b64("stack"))
		var list []map[string]any
		b.tester.viaXML(t, &list, "Bug.list_attachments", b.bug)
		if len(list) != 2 || list[1]["url"] != b.ts.URL+"/uploads/attachments/bugs_bug/"+itoa(b.bug)+"/log.txt" || list[1]["owner_username"] != userName ||
			list[0]["owner_username"] != adminName {
			t.Fatalf("list_attachments: %v", list)
		}
		b.tester.fault(t, CodeInternal, "Internal error: {'attachment_file': ['Uploading executable files is forbidden']}", "Bug.add_attachment", b.bug, "x.exe", b64("MZ"))
		b.tester.fault(t, CodeInternal, "Internal error: No Bug matches the given query.", "Bug.add_attachment", 99999, "a.txt", b64("x"))
		b.tester.fault(t, CodeInternal, missingBug, "Bug.list_attachments", 99999)
		nobody.refused(t, "attachments.add_attachment", "Bug.add_attachment", b.bug, "b.txt", b64("x"))
		nobody.refused(t, "attachments.view_attachment", "Bug.list_attachments", b.bug)
		if n := count(t, b.conn, "SELECT count(*) FROM attachments"); n != 2 {
			t.Fatalf("attachments: %d", n)
		}
	})
}
