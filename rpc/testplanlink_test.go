package rpc

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tcms/tcms/store"
)

// wirePlanCase reads S-TestCase-pa off the wire.
type wirePlanCase struct {
	store.PlanCase
	CreateDate string `json:"create_date"`
}

// planBed is a server with a plan, callers with and without permissions.
type planBed struct {
	ts             *testServer
	admin          func(string, ...any) jsonResponse
	tester, nobody rpcCaller
	f              planFixture
	plan           wirePlan
}

func mustPlanBed(t *testing.T, name string) planBed {
	t.Helper()
	b := planBed{ts: mustServer(t)}
	b.admin = b.ts.as(adminName, adminPass)
	b.tester, b.nobody = b.ts.callers(t, userName, userPass), b.ts.nobody(t)
	b.f = mustPlanFixture(t, b.admin)
	result(t, b.admin("TestPlan.create", b.f.values(name)), &b.plan)
	return b
}

func TestTestPlanCases(t *testing.T) {
	b := mustPlanBed(t, "cases")
	ts, tester, nobody, f, p := b.ts, b.tester, b.nobody, b.f, b.plan
	conn := ts.mustDB()
	c1, c2 := mustPlanCase(t, conn, f.product, "one"), mustPlanCase(t, conn, f.product, "two")
	sortkeys := func() map[int64]int32 {
		rows, _ := conn.Query(t.Context(), `SELECT case_id, sortkey FROM test_case_plans WHERE plan_id = $1`, p.ID)
		defer rows.Close()
		out := map[int64]int32{}
		for rows.Next() {
			var id int64
			var k int32
			rows.Scan(&id, &k)
			out[id] = k
		}
		return out
	}

	t.Run("AddCase", func(t *testing.T) {
		var got wirePlanCase
		r := tester.json("TestPlan.add_case", p.ID, c1)
		result(t, r, &got)
		wantKeys(t, r, "arguments", "author", "case_status", "category", "create_date", "default_tester", "extra_link", "id", "is_automated",
			"notes", "priority", "requirement", "reviewer", "script", "setup_duration", "sortkey", "summary", "testing_duration", "text")
		if got.ID != c1 || *got.Sortkey != 0 || *got.SetupDuration != 5400 || got.TestingDuration != nil {
			t.Fatalf("first: %+v", got)
		}
		tester.viaXML(t, &got, "TestPlan.add_case", p.ID, c2)
		if *got.Sortkey != 10 {
			t.Fatalf("second: %+v", got)
		}
		tester.viaXML(t, &got, "TestPlan.add_case", p.ID, c1)
		if *got.Sortkey != 0 || len(sortkeys()) != 2 {
			t.Fatalf("again: %+v %v", got, sortkeys())
		}
		tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.add_case", 99999, c1)
		tester.fault(t, CodeInternal, "Internal error: TestCase matching query does not exist.", "TestPlan.add_case", p.ID, 99999)
		tester.fault(t, CodeInvalidParams, "Invalid parameters:", "TestPlan.add_case", p.ID)
	})
	t.Run("UpdateCaseOrder", func(t *testing.T) {
		var none any
		tester.viaXML(t, &none, "TestPlan.update_case_order", p.ID, c1, 25)
		result(t, tester.json("TestPlan.update_case_order", p.ID, 99999, 5), &none)
		if k := sortkeys(); k[c1] != 25 || k[c2] != 10 {
			t.Fatalf("sortkeys %v", k)
		}
		tester.fault(t, CodeInvalidParams, "Invalid parameters:", "TestPlan.update_case_order", p.ID, c1, "high")
		var refused wirePlanCase
		result(t, tester.json("TestPlan.add_case", p.ID, c1), &refused)
		if *refused.Sortkey != 25 {
			t.Fatalf("kept sortkey: %+v", refused)
		}
	})
	t.Run("RemoveCase", func(t *testing.T) {
		var none any
		tester.viaXML(t, &none, "TestPlan.remove_case", p.ID, c2)
		result(t, tester.json("TestPlan.remove_case", p.ID, c2), &none)
		result(t, tester.json("TestPlan.remove_case", 99999, c2), &none)
		if k := sortkeys(); len(k) != 1 {
			t.Fatalf("after remove: %v", k)
		}
		tester.fault(t, CodeInvalidParams, "Invalid parameters:", "TestPlan.remove_case", p.ID)
	})
	t.Run("ErrPermission", func(t *testing.T) {
		nobody.refused(t, "testcases.add_testcaseplan", "TestPlan.add_case", p.ID, c2)
		nobody.refused(t, "testcases.change_testcaseplan", "TestPlan.update_case_order", p.ID, c1, 1)
		nobody.refused(t, "testcases.delete_testcaseplan", "TestPlan.remove_case", p.ID, c1)
		if k := sortkeys(); len(k) != 1 || k[c1] != 25 {
			t.Fatalf("refused calls changed links: %v", k)
		}
	})
}

func TestTestPlanTags(t *testing.T) {
	b := mustPlanBed(t, "tagged")
	ts, admin, tester, nobody, p := b.ts, b.admin, b.tester, b.nobody, b.plan
	tags := func() string {
		var names []string
		for _, tg := range []string{"smoke", "new"} {
			var got []wirePlanRow
			result(t, admin("TestPlan.filter", map[string]any{"tag__name": tg, "pk": p.ID}), &got)
			if len(got) == 1 {
				names = append(names, tg)
			}
		}
		return strings.Join(names, ",")
	}
	var none any
	tester.viaXML(t, &none, "TestPlan.add_tag", p.ID, "smoke")
	result(t, tester.json("TestPlan.add_tag", p.ID, "smoke"), &none)
	if tags() != "smoke" {
		t.Fatalf("tags %q", tags())
	}
	tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.add_tag", 99999, "smoke")
	tester.fault(t, CodeInternal, "Internal error: tag: This field is required.", "TestPlan.add_tag", p.ID, "")

	// Tagging with a new name needs management.add_tag as well.
	if err := ts.Store.SetUserPermissions(t.Context(), store.Principal{IsSuperuser: true}, "nobody", []string{"testplans.add_testplantag"}, true); err != nil {
		t.Fatal(err)
	}
	nobody.fault(t, CodeInternal, "Internal error: Tag matching query does not exist.", "TestPlan.add_tag", p.ID, "new")
	if tags() != "smoke" {
		t.Fatalf("refused tagging: %q", tags())
	}
	nobody.refused(t, "testplans.delete_testplantag", "TestPlan.remove_tag", p.ID, "smoke")

	tester.fault(t, CodeInternal, "Internal error: Tag matching query does not exist.", "TestPlan.remove_tag", p.ID, "never")
	tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.remove_tag", 99999, "smoke")
	tester.viaXML(t, &none, "TestPlan.remove_tag", p.ID, "smoke")
	result(t, tester.json("TestPlan.remove_tag", p.ID, "smoke"), &none)
	if tags() != "" {
		t.Fatalf("after remove: %q", tags())
	}
}

func TestTestPlanAttachments(t *testing.T) {
	b := mustPlanBed(t, "attached")
	ts, tester, nobody, p := b.ts, b.tester, b.nobody, b.plan
	var none any
	tester.viaXML(t, &none, "TestPlan.add_attachment", p.ID, "notes.txt", b64("hello"))
	var list []map[string]any
	r := tester.json("TestPlan.list_attachments", p.ID)
	result(t, r, &list)
	wantKeys(t, r, "date", "owner_pk", "owner_username", "pk", "url")
	if len(list) != 1 || list[0]["url"] != ts.URL+"/uploads/attachments/testplans_testplan/"+fmt.Sprint(p.ID)+"/notes.txt" || list[0]["owner_username"] != userName {
		t.Fatalf("list %v", list)
	}
	var viaXML []map[string]any
	tester.viaXML(t, &viaXML, "TestPlan.list_attachments", p.ID)
	if len(viaXML) != 1 {
		t.Fatalf("XML list %v", viaXML)
	}
	tester.fault(t, CodeInternal, "Internal error: {'attachment_file': ['Uploading executable files is forbidden']}", "TestPlan.add_attachment", p.ID, "x.exe", b64("MZ"))
	tester.fault(t, CodeInternal, "Internal error: No TestPlan matches the given query.", "TestPlan.add_attachment", 99999, "a.txt", b64("x"))
	tester.fault(t, CodeInternal, "Internal error: TestPlan matching query does not exist.", "TestPlan.list_attachments", 99999)
	nobody.refused(t, "attachments.add_attachment", "TestPlan.add_attachment", p.ID, "b.txt", b64("x"))
	nobody.refused(t, "attachments.view_attachment", "TestPlan.list_attachments", p.ID)
	result(t, tester.json("TestPlan.list_attachments", p.ID), &list)
	if len(list) != 1 {
		t.Fatalf("refused and bad uploads were stored: %v", list)
	}
}
