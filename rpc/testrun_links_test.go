package rpc

import (
	"fmt"
	"testing"

	"github.com/tcms/tcms/store"
)

func TestTestRunTags(t *testing.T) {
	b := mustRunBed(t)
	tester, nobody, id := b.tester, b.nobody, b.f.run
	var tags []store.Tag
	r := tester.json("TestRun.add_tag", id, "zeta")
	result(t, r, &tags)
	wantKeys(t, r, "id", "name")
	tester.viaXML(t, &tags, "TestRun.add_tag", id, "alpha")
	tester.viaXML(t, &tags, "TestRun.add_tag", id, "alpha")
	if len(tags) != 2 || tags[0].Name != "alpha" || tags[1].Name != "zeta" {
		t.Fatalf("add_tag: %v", tags)
	}
	tester.viaXML(t, &tags, "TestRun.remove_tag", id, "zeta")
	if len(tags) != 1 || tags[0].Name != "alpha" {
		t.Fatalf("remove_tag: %v", tags)
	}
	tester.fault(t, CodeInternal, "Internal error: Tag matching query does not exist.", "TestRun.remove_tag", id, "never")
	tester.fault(t, CodeInternal, missingRun, "TestRun.add_tag", 99999, "alpha")
	tester.fault(t, CodeInternal, missingRun, "TestRun.remove_tag", 99999, "alpha")
	nobody.refused(t, "testruns.add_testruntag", "TestRun.add_tag", id, "nobody")
	nobody.refused(t, "testruns.delete_testruntag", "TestRun.remove_tag", id, "alpha")
	if n := count(t, b.conn, "SELECT count(*) FROM test_run_tags"); n != 1 {
		t.Fatalf("tag links: %d", n)
	}
}

func TestTestRunCC(t *testing.T) {
	b := mustRunBed(t)
	tester, nobody, id := b.tester, b.nobody, b.f.run
	var none any
	tester.viaXML(t, &none, "TestRun.add_cc", id, userName)
	result(t, tester.json("TestRun.add_cc", id, "admin@example.com"), &none)
	result(t, tester.json("TestRun.add_cc", id, 2), &none)
	if none != nil {
		t.Fatalf("add_cc returned %v", none)
	}
	var cc []string
	tester.viaXML(t, &cc, "TestRun.get_cc", id)
	if fmt.Sprint(cc) != "[admin@example.com tester@example.com]" {
		t.Fatalf("get_cc: %v", cc)
	}
	tester.viaXML(t, &none, "TestRun.remove_cc", id, "1")
	tester.viaJSON(t, &none, "TestRun.remove_cc", id, "1")
	result(t, tester.json("TestRun.get_cc", id), &cc)
	if fmt.Sprint(cc) != "[tester@example.com]" {
		t.Fatalf("get_cc after remove_cc: %v", cc)
	}
	tester.fault(t, CodeInternal, `Internal error: Unknown user: "ghost"`, "TestRun.add_cc", id, "ghost")
	tester.fault(t, CodeInternal, `Internal error: Unknown user: "ghost"`, "TestRun.remove_cc", id, "ghost")
	tester.fault(t, CodeInternal, `Internal error: Unknown user_id: "999"`, "TestRun.remove_cc", id, 999)
	tester.fault(t, CodeInternal, missingRun, "TestRun.add_cc", 99999, userName)
	tester.fault(t, CodeInternal, missingRun, "TestRun.get_cc", 99999)
	nobody.refused(t, "testruns.change_testrun", "TestRun.add_cc", id, adminName)
	nobody.refused(t, "testruns.change_testrun", "TestRun.remove_cc", id, userName)
	nobody.refused(t, "testruns.view_testrun", "TestRun.get_cc", id)
	if n := count(t, b.conn, "SELECT count(*) FROM test_run_cc"); n != 1 {
		t.Fatalf("cc rows: %d", n)
	}
}

func TestTestRunProperties(t *testing.T) {
	b := mustRunBed(t)
	tester, nobody, id := b.tester, b.nobody, b.f.run
	var second wireRun
	result(t, tester.json("TestRun.create", b.f.runValues("second")), &second)
	var p, again store.RunProperty
	r := tester.json("TestRun.add_property", id, "os", "linux")
	result(t, r, &p)
	wantKeys(t, r, "id", "name", "run", "value")
	tester.viaXML(t, &again, "TestRun.add_property", id, "os", "linux")
	if p.ID == 0 || again != p || p.Run != id || p.Name != "os" || p.Value != "linux" {
		t.Fatalf("add_property: %+v then %+v", p, again)
	}
	result(t, tester.json("TestRun.add_property", second.id(), "arch", "x86"), new(any))
	result(t, tester.json("TestRun.add_property", id, "os", "bsd"), new(any))

	var all []store.RunProperty
	r = tester.json("TestRun.properties")
	result(t, r, &all)
	wantKeys(t, r, "id", "name", "run", "value")
	var triples []string
	for _, x := range all {
		triples = append(triples, fmt.Sprintf("%d %s %s", x.Run, x.Name, x.Value))
	}
	if fmt.Sprint(triples) != fmt.Sprintf("[%[1]d os bsd %[1]d os linux %[2]d arch x86]", id, second.id()) || all[1] != p {
		t.Fatalf("properties: %v", all)
	}
	tester.viaXML(t, &all, "TestRun.properties", map[string]any{"run": second.id()})
	if len(all) != 1 || all[0].Name != "arch" {
		t.Fatalf("properties of a run: %v", all)
	}
	tester.viaXML(t, &all, "TestRun.properties", map[string]any{"run__summary": "first", "value__in": []any{"linux"}})
	if len(all) != 1 || all[0] != p {
		t.Fatalf("properties by summary: %v", all)
	}
	tester.fault(t, CodeInternal, "Internal error: [('name', ['Ensure this value has at most 255 characters (it has 256).'])]", "TestRun.add_property", id, long(256), "v")
	tester.fault(t, CodeInternal, missingRun, "TestRun.add_property", 99999, "os", "linux")
	tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'x' into field.", "TestRun.properties", map[string]any{"x": 1})
	nobody.refused(t, "testruns.add_property", "TestRun.add_property", id, "os", "win")
	nobody.refused(t, "testruns.view_property", "TestRun.properties", map[string]any{})
	if n := count(t, b.conn, "SELECT count(*) FROM test_run_properties"); n != 3 {
		t.Fatalf("properties: %d", n)
	}
}

func TestTestRunAttachments(t *testing.T) {
	b := mustRunBed(t)
	tester, nobody, id := b.tester, b.nobody, b.f.run
	var none any
	tester.viaXML(t, &none, "TestRun.add_attachment", id, "log.txt", b64("hello"))
	var list []map[string]any
	r := tester.json("TestRun.list_attachments", id)
	result(t, r, &list)
	wantKeys(t, r, "date", "owner_pk", "owner_username", "pk", "url")
	if len(list) != 1 || list[0]["url"] != b.ts.URL+"/uploads/attachments/testruns_testrun/"+fmt.Sprint(id)+"/log.txt" || list[0]["owner_username"] != userName {
		t.Fatalf("list: %v", list)
	}
	tester.viaXML(t, &list, "TestRun.list_attachments", id)
	if len(list) != 1 {
		t.Fatalf("XML list: %v", list)
	}
	tester.fault(t, CodeInternal, "Internal error: {'attachment_file': ['Uploading executable files is forbidden']}", "TestRun.add_attachment", id, "x.exe", b64("MZ"))
	tester.fault(t, CodeInternal, "Internal error: No TestRun matches the given query.", "TestRun.add_attachment", 99999, "a.txt", b64("x"))
	tester.fault(t, CodeInternal, missingRun, "TestRun.list_attachments", 99999)
	nobody.refused(t, "attachments.add_attachment", "TestRun.add_attachment", id, "b.txt", b64("x"))
	nobody.refused(t, "attachments.view_attachment", "TestRun.list_attachments", id)
	if n := count(t, b.conn, "SELECT count(*) FROM attachments"); n != 1 {
		t.Fatalf("refused and bad uploads were stored: %d", n)
	}
}

func TestTestRunRemove(t *testing.T) {
	b := mustRunBed(t)
	tester, nobody, conn, f := b.tester, b.nobody, b.conn, b.f
	var keep wireRun
	result(t, tester.json("TestRun.create", f.runValues("keep")), &keep)
	c := mustPlanCase(t, conn, f.product, "case")
	// Two executions of the run, one of the kept run, and everything that
	// hangs on the run and its executions.
	mustExec(t, conn, `WITH x AS (INSERT INTO test_executions (run_id, case_id, case_text_version, status_id, build_id)
			VALUES ($1, $3, 0, 1, $4), ($1, $3, 0, 1, $4), ($2, $3, 0, 1, $4) RETURNING id, run_id),
		tg AS (INSERT INTO tags (name) VALUES ('t') RETURNING id),
		rt AS (INSERT INTO test_run_tags (run_id, tag_id) SELECT $1, id FROM tg),
		xt AS (INSERT INTO test_execution_tags (execution_id, tag_id) SELECT x.id, tg.id FROM x, tg WHERE x.run_id = $1),
		cc AS (INSERT INTO test_run_cc (run_id, user_id) VALUES ($1, 1), ($1, 2)),
		rp AS (INSERT INTO test_run_properties (run_id, name, value) VALUES ($1, 'os', 'linux')),
		xp AS (INSERT INTO test_execution_properties (execution_id, name, value) SELECT id, 'os', 'linux' FROM x WHERE run_id = $1),
		ln AS (INSERT INTO links (execution_id, url) SELECT id, 'https://example.com' FROM x WHERE run_id = $1),
		cm AS (INSERT INTO comments (owner, object_id, comment) SELECT 'testruns_testexecution', id, 'c' FROM x
			UNION ALL VALUES ('testruns_testrun', $1, 'r'), ('testruns_testrun', $2, 'kept'))
		INSERT INTO attachments (owner, object_id, filename, content, creator_id)
			SELECT 'testruns_testexecution', id, 'f.txt', 'x'::bytea, 1 FROM x WHERE run_id = $1
			UNION ALL VALUES ('testruns_testrun', $1, 'r.txt', 'x'::bytea, 1)`, f.run, keep.id(), c, f.build)

	tester.fault(t, CodeInternal, "Internal error: TestRun.remove needs a non-empty query", "TestRun.remove", map[string]any{})
	tester.fault(t, CodeInternal, "Internal error: Cannot resolve keyword 'x' into field.", "TestRun.remove", map[string]any{"x": 1})
	nobody.refused(t, "testruns.delete_testrun", "TestRun.remove", map[string]any{"pk": f.run})
	if n := count(t, conn, "SELECT count(*) FROM test_runs"); n != 2 {
		t.Fatalf("refused removes deleted runs: %d left", n)
	}

	var got []any
	result(t, tester.json("TestRun.remove", map[string]any{"pk__in": []any{f.run}}), &got)
	want := "[19 map[attachments.Attachment:3 django_comments.Comment:3 linkreference.LinkReference:2 testruns.Property:1 " +
		"testruns.TestExecution:2 testruns.TestExecutionProperty:2 testruns.TestExecutionTag:2 testruns.TestRun:1 testruns.TestRunCC:2 testruns.TestRunTag:1]]"
	if fmt.Sprint(got) != want {
		t.Fatalf("remove: %v", got)
	}
	tester.viaXML(t, &got, "TestRun.remove", map[string]any{"summary": "first"})
	if fmt.Sprint(got) != "[0 map[testruns.TestRun:0]]" {
		t.Fatalf("remove of nothing: %v", got)
	}
	if n := count(t, conn, `SELECT count(*) FROM history WHERE history_type = '-' AND (owner = 'testruns_testrun' AND object_id = $1
		OR owner = 'testruns_testexecution' AND record->>'run_id' = $2 AND history_user_id = 2)`, f.run, fmt.Sprint(f.run)); n != 3 {
		t.Fatalf("'-' history rows: %d", n)
	}
	// Only the kept run's rows are left.
	for table, want := range map[string]int{"test_runs": 1, "test_executions": 1, "comments": 2, "attachments": 0, "links": 0,
		"test_run_cc": 0, "test_execution_tags": 0, "test_run_properties": 0} {
		if n := count(t, conn, "SELECT count(*) FROM "+table); n != want {
			t.Fatalf("%s: %d rows left, want %d", table, n, want)
		}
	}
	tester.viaXML(t, &got, "TestRun.remove", map[string]any{"pk": fmt.Sprint(keep.id())})
	if fmt.Sprint(got) != "[4 map[django_comments.Comment:2 testruns.TestExecution:1 testruns.TestRun:1]]" {
		t.Fatalf("remove over XML-RPC: %v", got)
	}
}
