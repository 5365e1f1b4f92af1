package rpc

import (
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestTestExecutionComments(t *testing.T) {
	b := mustExecBed(t)
	comments := func() int {
		return count(t, b.conn, "SELECT count(*) FROM comments WHERE owner = 'testruns_testexecution'")
	}

	t.Run("OK", func(t *testing.T) {
		var c struct {
			ID          int64  `json:"id"`
			ObjectPK    int64  `json:"object_pk"`
			ContentType int64  `json:"content_type"`
			UserName    string `json:"user_name"`
			Comment     string `json:"comment"`
		}
		r := b.tester.json("TestExecution.add_comment", b.execID, "first")
		result(t, r, &c)
		if c.ObjectPK != b.execID || c.ContentType != 2 || c.UserName != userName || c.Comment != "first" {
			t.Fatalf("add_comment: %s", r.Result)
		}
		b.admin.viaXML(t, new(any), "TestExecution.add_comment", b.execID, "second", b.testerID, "2020-01-02 03:04:05")
		var list []struct {
			ID         int64  `json:"id"`
			ObjectPK   string `json:"object_pk"`
			UserName   string `json:"user_name"`
			SubmitDate string `json:"submit_date"`
		}
		b.tester.viaJSON(t, &list, "TestExecution.get_comments", b.execID)
		if len(list) != 2 || list[0].ID != c.ID || list[0].ObjectPK != itoa(b.execID) || list[1].UserName != userName || list[1].SubmitDate != "2020-01-02T03:04:05" {
			t.Fatalf("get_comments: %+v", list)
		}
		b.tester.viaXML(t, new(any), "TestExecution.remove_comment", b.execID, c.ID)
		b.tester.viaXML(t, &list, "TestExecution.get_comments", b.execID)
		if len(list) != 1 || list[0].ID == c.ID {
			t.Fatalf("after remove_comment(id): %+v", list)
		}
		result(t, b.tester.json("TestExecution.remove_comment", b.execID), new(any))
		if n := comments(); n != 0 {
			t.Fatalf("remove_comment(execution) left %d", n)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, "Internal error: [('comment', ['This field is required.'])]", "TestExecution.add_comment", b.execID, "")
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.add_comment", 99999, "x")
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.get_comments", 99999)
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.remove_comment", 99999)
	})
	t.Run("ErrPermission", func(t *testing.T) {
		result(t, b.tester.json("TestExecution.add_comment", b.execID, "kept"), new(any))
		nobody := b.ts.nobody(t)
		nobody.refused(t, "django_comments.add_comment", "TestExecution.add_comment", b.execID, "x")
		nobody.refused(t, "django_comments.view_comment", "TestExecution.get_comments", b.execID)
		nobody.refused(t, "django_comments.delete_comment", "TestExecution.remove_comment", b.execID)
		if n := comments(); n != 1 {
			t.Fatalf("comments: %d", n)
		}
	})
}

func TestTestExecutionLinks(t *testing.T) {
	b := mustExecBed(t)
	other := b.mustExecution(t)
	links := func() int { return count(t, b.conn, "SELECT count(*) FROM links") }

	t.Run("OK", func(t *testing.T) {
		var l store.Link
		// The legacy key execution_id; is_defect and name default.
		r := b.tester.json("TestExecution.add_link", map[string]any{"execution_id": b.execID, "url": "https://bugs.example.com/1"})
		result(t, r, &l)
		if keys := keysOf(t, r.Result); keys != "execution,id,is_defect,name,url" {
			t.Fatalf("S-Link keys %s", keys)
		}
		if l.Execution != b.execID || l.URL != "https://bugs.example.com/1" || l.Name != "" || l.IsDefect {
			t.Fatalf("add_link: %s", r.Result)
		}
		var l2 store.Link
		b.tester.viaXML(t, &l2, "TestExecution.add_link", map[string]any{"execution": itoa(other), "url": "ftp://ci.example.com/log", "name": "log", "is_defect": true}, true)
		if l2.Execution != other || l2.Name != "log" || !l2.IsDefect {
			t.Fatalf("add_link over XML-RPC: %+v", l2)
		}
		var rows []struct {
			store.Link
			CreatedOn string `json:"created_on"`
		}
		r = b.tester.json("TestExecution.get_links", map[string]any{"execution": b.execID})
		result(t, r, &rows)
		if len(rows) != 1 || rows[0].ID != l.ID || rows[0].CreatedOn == "" {
			t.Fatalf("get_links: %s", r.Result)
		}
		b.tester.viaXML(t, &rows, "TestExecution.get_links", map[string]any{"is_defect": true, "execution__run": b.runID})
		if len(rows) != 1 || rows[0].ID != l2.ID {
			t.Fatalf("get_links(is_defect): %+v", rows)
		}
		b.tester.viaXML(t, &rows, "TestExecution.get_links", map[string]any{})
		if len(rows) != 2 || rows[0].ID != l.ID {
			t.Fatalf("get_links({}): %+v", rows)
		}
		b.tester.viaXML(t, new(any), "TestExecution.remove_link", map[string]any{"pk": 99999}) // nothing matched is fine
		b.tester.viaXML(t, new(any), "TestExecution.remove_link", map[string]any{"url__startswith": "ftp:"})
		if links() != 1 {
			t.Fatalf("remove_link: %d links", links())
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		before := links()
		for _, c := range []struct {
			values map[string]any
			msg    string
		}{
			{map[string]any{"execution": 99999, "url": "https://x.example.com"}, "Internal error: [('execution', ['Select a valid choice. That choice is not one of the available choices.'])]"},
			{map[string]any{"execution": b.execID}, "Internal error: [('url', ['This field is required.'])]"},
			{map[string]any{"execution": b.execID, "url": "not a url"}, "Internal error: [('url', ['Enter a valid URL.'])]"},
			{map[string]any{"execution": b.execID, "url": "https://x.example.com/" + strings.Repeat("a", 200)}, "Internal error: [('url', ['Ensure this value has at most 200 characters"},
			{map[string]any{"execution": b.execID, "url": "https://x.example.com", "name": strings.Repeat("n", 65)}, "Internal error: [('name', ['Ensure this value has at most 64 characters (it has 65).'])]"},
			{map[string]any{"url": "https://x.example.com"}, "Internal error: [('execution', ['This field is required.'])]"},
		} {
			b.tester.fault(t, CodeInternal, c.msg, "TestExecution.add_link", c.values)
		}
		b.tester.fault(t, CodeInternal, "Internal error: A non-empty query is required: {} would delete every link.", "TestExecution.remove_link", map[string]any{})
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nosuch' into field.", "TestExecution.get_links", map[string]any{"nosuch": 1})
		wantFault(t, b.tester.json("TestExecution.get_links", nil), CodeInvalidParams, "Invalid parameters: query is required")
		if links() != before {
			t.Fatal("a refused add_link or remove_link wrote")
		}
	})
	t.Run("ErrPermission", func(t *testing.T) {
		before := links()
		nobody := b.ts.nobody(t)
		nobody.refused(t, "linkreference.add_linkreference", "TestExecution.add_link", map[string]any{"execution": b.execID, "url": "https://x.example.com"})
		nobody.refused(t, "linkreference.view_linkreference", "TestExecution.get_links", map[string]any{})
		nobody.refused(t, "linkreference.delete_linkreference", "TestExecution.remove_link", map[string]any{"pk__gt": 0})
		if links() != before {
			t.Fatal("a refused call wrote")
		}
	})
}

func TestTestExecutionPropertiesAndTags(t *testing.T) {
	b := mustExecBed(t)
	other := b.mustExecution(t)

	t.Run("Properties", func(t *testing.T) {
		var p, again, p2 store.ExecutionProperty
		r := b.tester.json("TestExecution.add_property", b.execID, "os", "linux")
		result(t, r, &p)
		if keys := keysOf(t, r.Result); keys != "execution,id,name,value" {
			t.Fatalf("S-ExecProperty keys %s", keys)
		}
		b.tester.viaXML(t, &again, "TestExecution.add_property", b.execID, "os", "linux")
		b.tester.viaXML(t, &p2, "TestExecution.add_property", other, "os", "mac")
		if p.Execution != b.execID || p.Name != "os" || p.Value != "linux" || again != p || p2.ID == p.ID {
			t.Fatalf("add_property: %+v %+v %+v", p, again, p2)
		}
		var list []store.ExecutionProperty
		b.tester.viaXML(t, &list, "TestExecution.properties", map[string]any{"execution": b.execID})
		if len(list) != 1 || list[0] != p {
			t.Fatalf("properties: %+v", list)
		}
		b.tester.viaJSON(t, &list, "TestExecution.properties", map[string]any{"execution__run": b.runID, "value__in": []any{"linux", "mac"}})
		if len(list) != 2 || list[1] != p2 {
			t.Fatalf("properties of the run: %+v", list)
		}
		b.tester.fault(t, CodeInternal, "Internal error: [('name', ['Ensure this value has at most 255 characters", "TestExecution.add_property", b.execID, strings.Repeat("n", 256), "x")
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.add_property", 99999, "os", "linux")
		b.tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'nosuch' into field.", "TestExecution.properties", map[string]any{"nosuch": 1})
		nobody := b.ts.nobody(t)
		nobody.refused(t, "testruns.add_testexecutionproperty", "TestExecution.add_property", b.execID, "os", "bsd")
		nobody.refused(t, "testruns.view_testexecutionproperty", "TestExecution.properties", map[string]any{})
		if n := count(t, b.conn, "SELECT count(*) FROM test_execution_properties"); n != 2 {
			t.Fatalf("%d properties", n)
		}
	})
	t.Run("Tags", func(t *testing.T) {
		var tags []store.Tag
		b.tester.viaJSON(t, &tags, "TestExecution.add_tag", b.execID, "smoke")
		b.tester.viaXML(t, &tags, "TestExecution.add_tag", b.execID, "nightly")
		b.tester.viaXML(t, &tags, "TestExecution.add_tag", b.execID, "nightly")
		if len(tags) != 2 || tags[0].Name != "nightly" || tags[1].Name != "smoke" {
			t.Fatalf("add_tag: %+v", tags)
		}
		var got wireExec
		b.tester.viaJSON(t, &got, "TestExecution.update", b.execID, map[string]any{})
		if len(got.Tag) != 2 || !(got.Tag[0] == tags[0].ID || got.Tag[0] == tags[1].ID) {
			t.Fatalf("tag ids in S-TestExecution-u: %+v", got.Tag)
		}
		b.tester.viaXML(t, &tags, "TestExecution.remove_tag", b.execID, "nosuch") // an unknown tag is fine
		b.tester.viaXML(t, &tags, "TestExecution.remove_tag", b.execID, "smoke")
		if len(tags) != 1 || tags[0].Name != "nightly" {
			t.Fatalf("remove_tag: %+v", tags)
		}
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.add_tag", 99999, "smoke")
		b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.remove_tag", 99999, "smoke")
		nobody := b.ts.callers(t, "nobody", "nobody-pass-1")
		nobody.refused(t, "testruns.add_testexecutiontag", "TestExecution.add_tag", b.execID, "x")
		nobody.refused(t, "testruns.delete_testexecutiontag", "TestExecution.remove_tag", b.execID, "nightly")
		if n := count(t, b.conn, "SELECT count(*) FROM test_execution_tags"); n != 1 || count(t, b.conn, "SELECT count(*) FROM tags WHERE name = 'x'") != 0 {
			t.Fatal("a refused call wrote")
		}
	})
}

func TestTestExecutionAttachments(t *testing.T) {
	b := mustExecBed(t)
	var list []store.Attachment
	result(t, b.tester.json("TestExecution.add_attachment", b.execID, "log.txt", "aGVsbG8="), new(any))
	b.tester.viaXML(t, new(any), "TestExecution.add_attachment", b.execID, "log.txt", "aGVsbG8=")
	b.tester.viaXML(t, &list, "TestExecution.list_attachments", b.execID)
	if len(list) != 2 || !strings.Contains(list[0].URL, "/uploads/attachments/testruns_testexecution/"+itoa(b.execID)+"/log") {
		t.Fatalf("list_attachments: %+v", list)
	}
	b.tester.fault(t, CodeInternal, "Internal error: No TestExecution matches the given query.", "TestExecution.add_attachment", 99999, "log.txt", "aGVsbG8=")
	b.tester.fault(t, CodeInternal, missingExecution, "TestExecution.list_attachments", 99999)
	b.tester.fault(t, CodeInternal, "Internal error: {'attachment_file': ['The content is not valid base64.']}", "TestExecution.add_attachment", b.execID, "x.txt", "***")
	nobody := b.ts.nobody(t)
	nobody.refused(t, "attachments.add_attachment", "TestExecution.add_attachment", b.execID, "x.txt", "aGVsbG8=")
	nobody.refused(t, "attachments.view_attachment", "TestExecution.list_attachments", b.execID)
	if n := count(t, b.conn, "SELECT count(*) FROM attachments"); n != 2 {
		t.Fatalf("%d attachments", n)
	}
}
