package store_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/tcms/tcms/store"
	"github.com/tcms/tcms/store/storetest"
)

// TestSeedRows compares the seed rows with Kiwi's seed data (ids, names, weights, icons, colours), row for row.
func TestSeedRows(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	all := map[string]any{}
	exec, err := st.FilterTestExecutionStatuses(ctx, all)
	wantExec := []store.WeightedStatus{
		{1, "IDLE", 0, "fa fa-question-circle-o", "#72767b"},
		{2, "RUNNING", 0, "fa fa-play-circle-o", "#72767b"},
		{3, "PAUSED", 0, "fa fa-pause-circle-o", "#72767b"},
		{4, "PASSED", 20, "fa fa-check-circle-o", "#92d400"},
		{5, "FAILED", -30, "fa fa-times-circle-o", "#cc0000"},
		{6, "BLOCKED", -10, "fa fa-stop-circle-o", "#cc0000"},
		{7, "ERROR", -20, "fa fa-minus-circle", "#cc0000"},
		{8, "WAIVED", 10, "fa fa-commenting-o", "#92d400"},
	}
	if err != nil || !reflect.DeepEqual(exec, wantExec) {
		t.Fatalf("execution statuses: %+v, %v", exec, err)
	}
	cases, err := st.FilterTestCaseStatuses(ctx, all)
	var got []string
	for _, c := range cases {
		got = append(got, fmt.Sprintf("%d %s %q %v", c.ID, c.Name, *c.Description, c.IsConfirmed))
	}
	if want := []string{`1 PROPOSED "" false`, `2 CONFIRMED "" true`, `3 DISABLED "" false`, `4 NEED_UPDATE "" false`}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("case statuses: %q, %v", got, err)
	}
	types, err := st.FilterPlanTypes(ctx, all)
	got = nil
	for _, p := range types {
		got = append(got, fmt.Sprintf("%d %s %q", p.ID, p.Name, *p.Description))
	}
	want := []string{`1 Unit ""`, `2 Integration ""`, `3 Function ""`, `4 System ""`, `5 Acceptance ""`, `6 Installation ""`,
		`7 Performance ""`, `8 Product ""`, `9 Interoperability ""`, `10 Smoke ""`, `11 Regression ""`}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("plan types: %q, %v", got, err)
	}
	templates, err := st.FilterTemplates(ctx, all)
	wantTemplates := []store.Template{
		{1, "Gherkin syntax", "**Scenario**: ... what behavior will be tested ...\n  **Given** ... conditions ...\n  **When** ... actions ...\n  **Then** ... expected results ...\n"},
		{2, "Itemized list", "**Steps to reproduce**:\n\n1. item\n2. item\n3. item\n\n**Expected results**:\n\n1. item\n2. item\n3. item\n"},
	}
	if err != nil || !reflect.DeepEqual(templates, wantTemplates) {
		t.Fatalf("templates: %+v, %v", templates, err)
	}
	for name, filter := range map[string]func() (int, error){
		"severities": func() (int, error) { r, err := st.FilterSeverities(ctx, all); return len(r), err },
		"tags":       func() (int, error) { r, err := st.FilterTags(ctx, all); return len(r), err },
	} {
		if n, err := filter(); n != 0 || err != nil {
			t.Fatalf("no %s are seeded: %d, %v", name, n, err)
		}
	}
}

// TestStatusFilters: the lookups CI clients use (ci-clients.md step 12).
func TestStatusFilters(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	for _, c := range []struct {
		query map[string]any
		want  []int64
	}{
		{map[string]any{"name": "PASSED"}, []int64{4}},
		{map[string]any{"weight__gt": 0}, []int64{4, 8}},
		{map[string]any{"weight__lt": 0}, []int64{5, 6, 7}},
		{map[string]any{"name__in": []any{"WAIVED", "IDLE"}, "weight": "0"}, []int64{1}},
	} {
		rows, err := st.FilterTestExecutionStatuses(ctx, c.query)
		var ids []int64
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		if err != nil || !reflect.DeepEqual(ids, c.want) {
			t.Fatalf("%v: got %v, %v", c.query, ids, err)
		}
	}
	rows, err := st.FilterTestCaseStatuses(ctx, map[string]any{"name": "CONFIRMED"})
	if err != nil || len(rows) != 1 || rows[0].ID != 2 || !rows[0].IsConfirmed {
		t.Fatalf("CONFIRMED: %+v, %v", rows, err)
	}
}

func TestCaseStatusGuards(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	no := false
	_, err := st.UpdateTestCaseStatus(ctx, 2, store.TestCaseStatusChange{IsConfirmed: &no})
	wantError(t, err, store.Invalid, "At least one confirmed test case status must remain.")
	wantError(t, st.RemoveTestCaseStatus(ctx, 2), store.Invalid, "At least one confirmed test case status must remain.")
	wantError(t, st.RemoveTestCaseStatus(ctx, 99), store.NotFound, "TestCaseStatus matching query does not exist.")
	_, err = st.UpdateTestCaseStatus(ctx, 99, store.TestCaseStatusChange{})
	wantError(t, err, store.NotFound, "TestCaseStatus matching query does not exist.")
	for _, id := range []int64{1, 3} {
		if err := st.RemoveTestCaseStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	wantError(t, st.RemoveTestCaseStatus(ctx, 4), store.Invalid, "At least one unconfirmed test case status must remain.")
	yes := true
	_, err = st.UpdateTestCaseStatus(ctx, 4, store.TestCaseStatusChange{IsConfirmed: &yes})
	wantError(t, err, store.Invalid, "At least one unconfirmed test case status must remain.")
	// With a second confirmed status, CONFIRMED may go.
	if _, err := st.CreateTestCaseStatus(ctx, "APPROVED", "", true); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveTestCaseStatus(ctx, 2); err != nil {
		t.Fatal(err)
	}
	name := "READY"
	s, err := st.UpdateTestCaseStatus(ctx, 5, store.TestCaseStatusChange{Name: &name})
	if err != nil || s.Name != "READY" || !s.IsConfirmed || *s.Description != "" {
		t.Fatalf("partial update: %+v, %v", s, err)
	}
}

func TestExecutionStatusGuards(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	for _, id := range []int64{5, 6} { // FAILED, BLOCKED: ERROR is the last negative
		if err := st.RemoveTestExecutionStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	const lastNegative = "At least one negative (weight < 0) test execution status must remain."
	wantError(t, st.RemoveTestExecutionStatus(ctx, 7), store.Invalid, lastNegative)
	zero, plus := int32(0), int32(5)
	_, err := st.UpdateTestExecutionStatus(ctx, 7, store.WeightedChange{Weight: &zero})
	wantError(t, err, store.Invalid, lastNegative)
	for _, id := range []int64{4, 8} {
		_, err = st.UpdateTestExecutionStatus(ctx, id, store.WeightedChange{Weight: &zero})
		if id == 4 && err != nil {
			t.Fatal(err)
		}
	}
	wantError(t, err, store.Invalid, "At least one positive (weight > 0) test execution status must remain.")
	for _, id := range []int64{1, 2, 3} { // PASSED, now 0, is the last neutral
		if err := st.RemoveTestExecutionStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.UpdateTestExecutionStatus(ctx, 4, store.WeightedChange{Weight: &plus})
	wantError(t, err, store.Invalid, "At least one neutral (weight 0) test execution status must remain.")
	if _, err := st.UpdateTestExecutionStatus(ctx, 4, store.WeightedChange{Weight: &zero}); err != nil {
		t.Fatalf("a change that keeps the class is allowed: %v", err)
	}
	wantError(t, st.RemoveTestExecutionStatus(ctx, 99), store.NotFound, "TestExecutionStatus matching query does not exist.")
	name := "WAIVED"
	_, err = st.UpdateTestExecutionStatus(ctx, 7, store.WeightedChange{Name: &name})
	wantError(t, err, store.Conflict, "[('name', ['Test execution status with this Name already exists.'])]")
}

// TestExecutionStatusRemoveRace: two concurrent removes of the last two
// negative statuses cannot both pass.
func TestExecutionStatusRemoveRace(t *testing.T) {
	st := storetest.New(t)
	ctx := t.Context()
	for _, id := range []int64{5, 6} {
		if err := st.RemoveTestExecutionStatus(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	last := int64(7) // ERROR, the one negative status
	for round := range 10 {
		other, err := st.CreateTestExecutionStatus(ctx, store.WeightedStatus{Name: fmt.Sprint("NEG", round), Weight: -1, Icon: "fa", Color: "#000"})
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{last, other.ID}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, id := range ids {
			wg.Go(func() { errs[i] = st.RemoveTestExecutionStatus(ctx, id) })
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: want exactly one refusal, got %v", round, errs)
		}
		left, _ := st.FilterTestExecutionStatuses(ctx, map[string]any{"weight__lt": 0})
		if len(left) != 1 {
			t.Fatalf("round %d: negatives left: %+v", round, left)
		}
		last = left[0].ID
	}
}
