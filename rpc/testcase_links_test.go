package rpc

import (
	"encoding/base64"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store"
)

// mustCase inserts a product (with a component "db"), a category and a
// test case behind the server's back, and returns the case and product ids.
func mustCase(t *testing.T, conn *pgx.Conn, product string) (caseID, productID int64) {
	t.Helper()
	err := conn.QueryRow(t.Context(), `WITH cl AS (INSERT INTO classifications (name) VALUES ($1) RETURNING id),
	p AS (INSERT INTO products (name, classification_id) SELECT $1, id FROM cl RETURNING id),
	co AS (INSERT INTO components (name, product_id, description) SELECT 'db', id, '' FROM p),
	cat AS (INSERT INTO categories (name, product_id) SELECT 'cat', id FROM p RETURNING id, product_id)
	INSERT INTO test_cases (summary, case_status_id, category_id, priority_id, author_id)
	SELECT 'a case', 1, cat.id, 1, (SELECT id FROM users WHERE username = 'admin') FROM cat
	RETURNING id, (SELECT product_id FROM cat)`, product).Scan(&caseID, &productID)
	if err != nil {
		t.Fatal(err)
	}
	return caseID, productID
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func count(t *testing.T, conn *pgx.Conn, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := conn.QueryRow(t.Context(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

const missingCase = "Internal error: TestCase matching query does not exist."

func TestTestCaseComments(t *testing.T) {
	ts := mustServer(t)
	conn := ts.mustDB()
	id, _ := mustCase(t, conn, "P")
	admin := ts.callers(t, adminName, adminPass)
	tester := ts.callers(t, userName, userPass)

	t.Run("OK", func(t *testing.T) {
		// S-Comment as sent, with submit_date as its text.
		type comment struct {
			ID          int64   `json:"id"`
			ContentType int64   `json:"content_type"`
			ObjectPK    int64   `json:"object_pk"`
			Site        int64   `json:"site"`
			User        int64   `json:"user"`
			UserName    string  `json:"user_name"`
			UserEmail   string  `json:"user_email"`
			SubmitDate  string  `json:"submit_date"`
			IPAddress   *string `json:"ip_address"`
			IsPublic    bool    `json:"is_public"`
			IsRemoved   bool    `json:"is_removed"`
		}
		var c1, c2, c3 comment
		r := tester.json("TestCase.add_comment", id, "first")
		result(t, r, &c1)
		if got := keysOf(t, r.Result); got != "comment,content_type,id,ip_address,is_public,is_removed,object_pk,site,submit_date,user,user_email,user_name,user_url" {
			t.Fatalf("S-Comment keys %s", got)
		}
		if c1.ObjectPK != id || c1.UserName != userName || c1.UserEmail != "tester@example.com" ||
			c1.ContentType != 1 || c1.Site != 1 || c1.IPAddress != nil || !c1.IsPublic || c1.IsRemoved {
			t.Fatalf("add_comment: %s", r.Result)
		}
		// A tester's overrides are ignored; a superuser's count.
		var adminID int64
		conn.QueryRow(t.Context(), "SELECT id FROM users WHERE username = 'admin'").Scan(&adminID)
		result(t, tester.json("TestCase.add_comment", id, "second", adminID, "2020-01-02 03:04:05"), &c2)
		if c2.UserName != userName || strings.HasPrefix(c2.SubmitDate, "2020") {
			t.Fatalf("tester overrides: %+v", c2)
		}
		admin.viaXML(t, &c3, "TestCase.add_comment", id, "third", c1.User, "2020-01-02 03:04:05")
		if c3.UserName != userName || c3.SubmitDate != "2020-01-02T03:04:05Z" {
			t.Fatalf("superuser overrides: %+v", c3)
		}
		var list []struct {
			ID       int64  `json:"id"`
			ObjectPK string `json:"object_pk"`
			Comment  string `json:"comment"`
		}
		r = tester.json("TestCase.comments", id)
		result(t, r, &list)
		if len(list) != 3 || list[0].ID != c1.ID || list[2].ID != c3.ID || list[0].ObjectPK != itoa(id) || list[0].Comment != "first" {
			t.Fatalf("comments: %s", r.Result)
		}
		var raw []map[string]any
		tester.viaXML(t, &raw, "TestCase.comments", id)
		if got := strings.Join(slices.Sorted(maps.Keys(raw[0])), ","); got != "comment,content_type_id,id,ip_address,is_public,is_removed,object_pk,site_id,submit_date,user_email,user_id,user_name,user_url" {
			t.Fatalf("S-CommentList keys %s", got)
		}
		result(t, tester.json("TestCase.remove_comment", id, c2.ID), new(any))
		tester.viaJSON(t, &list, "TestCase.comments", id)
		if len(list) != 2 || list[1].ID != c3.ID {
			t.Fatalf("after remove_comment(id): %+v", list)
		}
		tester.viaXML(t, new(any), "TestCase.remove_comment", id)
		if n := count(t, conn, "SELECT count(*) FROM comments"); n != 0 {
			t.Fatalf("remove_comment(case) left %d", n)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		tester.fault(t, CodeInternal, "Internal error: [('comment', ['This field is required.'])]", "TestCase.add_comment", id, "")
		admin.fault(t, CodeInternal, "Internal error: Invalid date format. Expected YYYY-MM-DD [HH:MM:SS].", "TestCase.add_comment", id, "x", 0, "10-10-2010")
		admin.fault(t, CodeInternal, "Internal error: User matching query does not exist.", "TestCase.add_comment", id, "x", 99999)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		tester.fault(t, CodeInternal, missingCase, "TestCase.add_comment", 99999, "x")
		tester.fault(t, CodeInternal, missingCase, "TestCase.comments", 99999)
		tester.fault(t, CodeInternal, missingCase, "TestCase.remove_comment", 99999)
	})
	t.Run("ErrPermission", func(t *testing.T) {
		nobody := ts.nobody(t)
		nobody.refused(t, "django_comments.add_comment", "TestCase.add_comment", id, "x")
		nobody.refused(t, "django_comments.view_comment", "TestCase.comments", id)
		result(t, tester.json("TestCase.add_comment", id, "kept"), new(any))
		nobody.refused(t, "django_comments.delete_comment", "TestCase.remove_comment", id)
		if n := count(t, conn, "SELECT count(*) FROM comments"); n != 1 {
			t.Fatalf("comments: %d", n)
		}
	})
}

func TestTestCaseTagsAndComponents(t *testing.T) {
	ts := mustServer(t)
	conn := ts.mustDB()
	id, product := mustCase(t, conn, "P")
	_, other := mustCase(t, conn, "Q")
	tester := ts.callers(t, userName, userPass)
	tags := func() int { return count(t, conn, "SELECT count(*) FROM test_case_tags WHERE case_id = $1", id) }

	t.Run("Tags", func(t *testing.T) {
		result(t, tester.json("TestCase.add_tag", id, "smoke"), new(any))
		tester.viaXML(t, new(any), "TestCase.add_tag", id, "smoke")
		if n := tags(); n != 1 {
			t.Fatalf("add_tag twice: %d links", n)
		}
		tester.fault(t, CodeInternal, missingCase, "TestCase.add_tag", 99999, "smoke")
		tester.fault(t, CodeInternal, "Internal error: Tag matching query does not exist.", "TestCase.remove_tag", id, "nosuch")
		tester.fault(t, CodeInternal, missingCase, "TestCase.remove_tag", 99999, "smoke")
		tester.viaXML(t, new(any), "TestCase.remove_tag", id, "smoke")
		if n := tags(); n != 0 {
			t.Fatalf("remove_tag: %d links", n)
		}
	})
	t.Run("Components", func(t *testing.T) {
		var c, again store.Component
		r := tester.json("TestCase.add_component", id, "db")
		result(t, r, &c)
		if got := keysOf(t, r.Result); got != "description,id,initial_owner,name,product" {
			t.Fatalf("S-Component keys %s", got)
		}
		tester.viaXML(t, &again, "TestCase.add_component", id, "db")
		if c.ProductID != product || c.Name != "db" || again != c || count(t, conn, "SELECT count(*) FROM test_case_components") != 1 {
			t.Fatalf("add_component: %+v %+v", c, again)
		}
		var otherDB int64
		conn.QueryRow(t.Context(), "SELECT id FROM components WHERE product_id = $1", other).Scan(&otherDB)
		tester.fault(t, CodeInternal, "Internal error: Component matching query does not exist.", "TestCase.add_component", id, "nosuch")
		tester.fault(t, CodeInternal, missingCase, "TestCase.add_component", 99999, "db")
		tester.fault(t, CodeInternal, "Internal error: Component matching query does not exist.", "TestCase.remove_component", id, 99999)
		tester.fault(t, CodeInternal, missingCase, "TestCase.remove_component", 99999, c.ID)
		tester.viaXML(t, new(any), "TestCase.remove_component", id, otherDB) // not linked: nothing to do
		tester.viaXML(t, new(any), "TestCase.remove_component", id, c.ID)
		if n := count(t, conn, "SELECT count(*) FROM test_case_components"); n != 0 {
			t.Fatalf("remove_component left %d", n)
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		nobody := ts.nobody(t)
		nobody.refused(t, "testcases.add_testcasetag", "TestCase.add_tag", id, "x")
		nobody.refused(t, "testcases.delete_testcasetag", "TestCase.remove_tag", id, "x")
		nobody.refused(t, "testcases.add_testcasecomponent", "TestCase.add_component", id, "db")
		nobody.refused(t, "testcases.delete_testcasecomponent", "TestCase.remove_component", id, 1)
		if tags() != 0 || count(t, conn, "SELECT count(*) FROM test_case_components") != 0 || count(t, conn, "SELECT count(*) FROM tags WHERE name = 'x'") != 0 {
			t.Fatal("a refused call wrote")
		}
	})
}

func TestTestCaseProperties(t *testing.T) {
	ts := mustServer(t)
	conn := ts.mustDB()
	id, _ := mustCase(t, conn, "P")
	id2, _ := mustCase(t, conn, "Q")
	tester := ts.callers(t, userName, userPass)

	var p1, again, p2, p3 store.CaseProperty
	r := tester.json("TestCase.add_property", id, "os", "linux")
	result(t, r, &p1)
	if got := keysOf(t, r.Result); got != "case,id,name,value" {
		t.Fatalf("S-CaseProperty keys %s", got)
	}
	tester.viaXML(t, &again, "TestCase.add_property", id, "os", "linux")
	if again != p1 || p1.Case != id {
		t.Fatalf("add_property twice: %+v %+v", p1, again)
	}
	tester.viaXML(t, &p2, "TestCase.add_property", id, "arch", "x86")
	tester.viaJSON(t, &p3, "TestCase.add_property", id2, "os", "bsd")
	var all, some []store.CaseProperty
	tester.viaJSON(t, &all, "TestCase.properties")
	if len(all) != 3 || all[0] != p2 || all[1] != p1 || all[2] != p3 {
		t.Fatalf("properties(): %+v", all)
	}
	tester.viaXML(t, &some, "TestCase.properties", map[string]any{"name": "os", "case__summary": "a case", "value__in": []any{"bsd"}})
	if len(some) != 1 || some[0] != p3 {
		t.Fatalf("properties(query): %+v", some)
	}
	tester.fault(t, CodeInternal, missingCase, "TestCase.add_property", 99999, "a", "b")
	tester.fault(t, CodeInternal, "Internal error: [('name', ['Ensure this value has at most 255 characters (it has 256).'])]",
		"TestCase.add_property", id, strings.Repeat("n", 256), "v")
	tester.fault(t, CodeInternal, "Internal error: A non-empty query is required", "TestCase.remove_property", map[string]any{})
	tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nosuch' into field.", "TestCase.remove_property", map[string]any{"nosuch": 1})

	nobody := ts.nobody(t)
	nobody.refused(t, "testcases.view_property", "TestCase.properties")
	nobody.refused(t, "testcases.add_property", "TestCase.add_property", id, "x", "y")
	nobody.refused(t, "testcases.delete_property", "TestCase.remove_property", map[string]any{"case": id})
	if n := count(t, conn, "SELECT count(*) FROM test_case_properties"); n != 3 {
		t.Fatalf("properties after refusals: %d", n)
	}
	tester.viaXML(t, new(any), "TestCase.remove_property", map[string]any{"case": id, "name": "os"})
	tester.viaJSON(t, &all, "TestCase.properties", map[string]any{"case_id": id})
	if len(all) != 1 || all[0] != p2 {
		t.Fatalf("after remove_property: %+v", all)
	}
}

func TestTestCaseNotificationCC(t *testing.T) {
	ts := mustServer(t)
	conn := ts.mustDB()
	id, _ := mustCase(t, conn, "P")
	tester := ts.callers(t, userName, userPass)
	get := func() []string {
		var cc []string
		tester.viaXML(t, &cc, "TestCase.get_notification_cc", id)
		return cc
	}
	if cc := get(); cc == nil || len(cc) != 0 {
		t.Fatalf("empty cc: %v", cc)
	}
	result(t, tester.json("TestCase.add_notification_cc", id, []any{"a@example.com", "b@example.com"}), new(any))
	tester.viaXML(t, new(any), "TestCase.add_notification_cc", id, []any{"b@example.com", "c@example.org"})
	if cc := strings.Join(get(), ","); cc != "a@example.com,b@example.com,c@example.org" {
		t.Fatalf("add_notification_cc: %s", cc)
	}
	tester.viaXML(t, new(any), "TestCase.remove_notification_cc", id, []any{"b@example.com", "z@example.com"})
	var cc []string
	tester.viaJSON(t, &cc, "TestCase.get_notification_cc", id)
	if strings.Join(cc, ",") != "a@example.com,c@example.org" {
		t.Fatalf("remove_notification_cc: %v", cc)
	}
	tester.fault(t, CodeInternal, "Internal error: ['Following email address(es) are invalid: a, b@c']",
		"TestCase.add_notification_cc", id, []any{"a", "ok@example.com", "b@c"})
	tester.fault(t, CodeInternal, "Internal error: ['Following email address(es) are invalid: x y@example.com']",
		"TestCase.remove_notification_cc", id, []any{"x y@example.com"})
	tester.fault(t, CodeInvalidParams, "Invalid parameters: cc_list should be a list object.", "TestCase.add_notification_cc", id, "a@example.com")
	tester.fault(t, CodeInternal, missingCase, "TestCase.add_notification_cc", 99999, []any{"a@example.com"})
	tester.fault(t, CodeInternal, missingCase, "TestCase.get_notification_cc", 99999)

	nobody := ts.nobody(t)
	nobody.refused(t, "testcases.change_testcase", "TestCase.add_notification_cc", id, []any{"n@example.com"})
	nobody.refused(t, "testcases.change_testcase", "TestCase.remove_notification_cc", id, []any{"a@example.com"})
	nobody.refused(t, "testcases.view_testcase", "TestCase.get_notification_cc", id)
	if strings.Join(get(), ",") != "a@example.com,c@example.org" {
		t.Fatal("a refused call wrote")
	}
}

func TestTestCaseAttachments(t *testing.T) {
	ts := mustServer(t)
	conn := ts.mustDB()
	id, _ := mustCase(t, conn, "P")
	tester := ts.callers(t, userName, userPass)
	b64 := base64.StdEncoding.EncodeToString([]byte("hello"))

	result(t, tester.json("TestCase.add_attachment", id, "notes.txt", b64), new(any))
	tester.viaXML(t, new(any), "TestCase.add_attachment", id, "more notes.txt", b64)
	var list []store.Attachment
	r := tester.json("TestCase.list_attachments", id)
	result(t, r, &list)
	host := strings.TrimPrefix(ts.URL, "http://")
	if len(list) != 2 || list[0].URL != "http://"+host+"/uploads/attachments/testcases_testcase/"+itoa(id)+"/more_notes.txt" ||
		list[1].CreatorName != userName {
		t.Fatalf("list_attachments: %s", r.Result)
	}
	tester.viaXML(t, &list, "TestCase.list_attachments", id)
	if len(list) != 2 {
		t.Fatalf("list_attachments over XML-RPC: %+v", list)
	}
	tester.fault(t, CodeInternal, "Internal error: {'attachment_file': ['Uploading executable files is forbidden']}",
		"TestCase.add_attachment", id, "x.exe", b64)
	tester.fault(t, CodeInternal, missingCase, "TestCase.add_attachment", 99999, "a.txt", b64)
	tester.fault(t, CodeInternal, missingCase, "TestCase.list_attachments", 99999)

	nobody := ts.nobody(t)
	nobody.refused(t, "attachments.add_attachment", "TestCase.add_attachment", id, "n.txt", b64)
	nobody.refused(t, "attachments.view_attachment", "TestCase.list_attachments", id)
	if n := count(t, conn, "SELECT count(*) FROM attachments"); n != 2 {
		t.Fatalf("attachments: %d", n)
	}
}
