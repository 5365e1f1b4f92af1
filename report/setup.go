package report

import (
	"context"
	"fmt"
	"time"

	"github.com/tcms/tcms/rpc/client"
)

// newRun finds or creates the product, version, build and plan as Kiwi's
// junit.xml plugin does (docs/ci.md), and looks up what
// new cases need; the run itself is created with the new cases (report).
// The lookups a usual CI run needs go in one batch; the ones only a
// missing record needs follow in a second, when something is missing;
// then each missing record is created, the independent ones together.
func (r *reporter) newRun(ctx context.Context, t *target) error {
	cfg := r.cfg
	if cfg.Product == "" || cfg.Version == "" || cfg.Build == "" {
		return fmt.Errorf("set TCMS_PRODUCT, TCMS_PRODUCT_VERSION and TCMS_BUILD (or their fallbacks; see docs/ci.md), or TCMS_RUN_ID")
	}
	planName := fmt.Sprintf("%s Plan for %s (%s)", cfg.Prefix, cfg.Product, cfg.Version)
	planQuery := map[string]any{"name": planName, "product__name": cfg.Product, "product_version__value": cfg.Version}
	if cfg.PlanID != 0 {
		planQuery = map[string]any{"pk": cfg.PlanID}
	}
	var versions, builds, plans []rec
	var found [][]rec
	err := r.batch(ctx, append([]client.BatchCall{
		call("Version.filter", &versions, map[string]any{"product__name": cfg.Product, "value": cfg.Version}),
		call("Build.filter", &builds, map[string]any{"version__product__name": cfg.Product, "version__value": cfg.Version, "name": cfg.Build}),
		call("TestPlan.filter", &plans, planQuery),
		call("TestExecutionStatus.filter", &t.statuses, map[string]any{}),
	}, r.caseLookups("product__name", cfg.Product, &found)...)...)
	if err != nil {
		return err
	}
	t.knowCases(found)
	version := firstID(versions)
	t.build = firstID(builds)
	if len(versions) > 0 {
		t.product = versions[0].Product
	}
	if len(plans) > 0 {
		t.plan, t.manager = plans[0].ID, plans[0].Author
	} else if cfg.PlanID != 0 {
		return fmt.Errorf("TCMS_PLAN_ID: no test plan %d here", cfg.PlanID)
	}

	var products, classifications, planTypes []rec
	var n needs
	var step []client.BatchCall
	if version == 0 {
		step = append(step, call("Product.filter", &products, map[string]any{"name": cfg.Product}))
	}
	if t.plan == 0 {
		step = append(step, call("PlanType.filter", &planTypes, map[string]any{"name": "Integration"}))
	}
	if r.casesMissing(t) {
		step = append(step, n.calls("product__name", cfg.Product)...)
	}
	if err := r.batch(ctx, step...); err != nil {
		return err
	}
	t.product = max(t.product, firstID(products))
	planType := firstID(planTypes)

	step = step[:0]
	if t.product == 0 {
		if err := r.batch(ctx, call("Classification.filter", &classifications, map[string]any{})); err != nil {
			return err
		}
		if len(classifications) == 0 {
			return fmt.Errorf("product %q does not exist and there is no classification to create it in", cfg.Product)
		}
		var p rec
		if err := r.batch(ctx, call("Product.create", &p, map[string]any{"name": cfg.Product, "classification": classifications[0].ID})); err != nil {
			return err
		}
		t.product = p.ID
		r.logf("created product %q", cfg.Product)
		if r.casesMissing(t) {
			// The new product's --default-- category.
			step = append(step, call("Category.filter", &n.categories, map[string]any{"product": t.product}))
		}
	}
	// The version, the category of a new product and the plan type do not
	// depend on each other; then the build and the plan need the version.
	var v, pt rec
	if version == 0 {
		step = append(step, call("Version.create", &v, map[string]any{"product": t.product, "value": cfg.Version}))
	}
	if t.plan == 0 && planType == 0 {
		step = append(step, call("PlanType.create", &pt, map[string]any{"name": "Integration"}))
	}
	if err := r.batch(ctx, step...); err != nil {
		return err
	}
	n.apply(t)
	version, planType = max(version, v.ID), max(planType, pt.ID)
	step = step[:0]
	var b, p rec
	if t.build == 0 {
		step = append(step, call("Build.create", &b, map[string]any{"name": cfg.Build, "version": version}))
	}
	if t.plan == 0 {
		values := map[string]any{"name": planName, "text": createdBy, "product": t.product, "product_version": version,
			"is_active": true, "type": planType}
		if cfg.Tester != "" {
			values["author"] = cfg.Tester
		}
		if cfg.ParentPlan != "" {
			values["parent"] = cfg.ParentPlan
		}
		step = append(step, call("TestPlan.create", &p, values))
	}
	if err := r.batch(ctx, step...); err != nil {
		return err
	}
	t.build = max(t.build, b.ID)
	if t.plan == 0 {
		t.plan, t.manager = p.ID, p.Author
		r.logf("created plan %d %q", p.ID, planName)
	}
	if cfg.PlanID != 0 && plans[0].Product != t.product {
		// The plan is another product's: its cases are there.
		return r.productLookups(ctx, t, plans[0].Product, false)
	}
	return nil
}

// casesMissing tells whether some result has no case yet.
func (r *reporter) casesMissing(t *target) bool {
	for _, s := range r.summaries() {
		if _, ok := t.cases[s]; !ok {
			return true
		}
	}
	return false
}

// needs are the lookups new cases need: the product's first category,
// a priority and the CONFIRMED status.
type needs struct{ categories, priorities, confirmed []rec }

// calls look them up, the category by the product's name or id.
func (n *needs) calls(productKey string, product any) []client.BatchCall {
	return []client.BatchCall{call("Category.filter", &n.categories, map[string]any{productKey: product}),
		call("Priority.filter", &n.priorities, map[string]any{}), call("TestCaseStatus.filter", &n.confirmed, map[string]any{"name": "CONFIRMED"})}
}

func (n *needs) apply(t *target) {
	t.category, t.priority, t.confirmed = firstID(n.categories), firstID(n.priorities), firstID(n.confirmed)
}

// intoRun reports into the existing run TCMS_RUN_ID: its plan gives the
// product, whose cases are looked up with the statuses.
func (r *reporter) intoRun(ctx context.Context, t *target) error {
	var plans []rec
	if err := r.batch(ctx, call("TestPlan.filter", &plans, map[string]any{"run": r.cfg.RunID})); err != nil {
		return err
	}
	if len(plans) == 0 {
		return errNoRun
	}
	t.run, t.plan = r.cfg.RunID, plans[0].ID
	return r.productLookups(ctx, t, plans[0].Product, true)
}

// productLookups finds, by product id, the cases (with the statuses when
// withStatuses), then what new cases need if some are missing.
func (r *reporter) productLookups(ctx context.Context, t *target, product int64, withStatuses bool) error {
	t.product = product
	var found [][]rec
	calls := r.caseLookups("product", product, &found)
	if withStatuses {
		calls = append(calls, call("TestExecutionStatus.filter", &t.statuses, map[string]any{}))
	}
	if err := r.batch(ctx, calls...); err != nil {
		return err
	}
	t.cases = map[string]int64{}
	t.knowCases(found)
	if !r.casesMissing(t) {
		return nil
	}
	var n needs
	if err := r.batch(ctx, n.calls("product", product)...); err != nil {
		return err
	}
	n.apply(t)
	return nil
}

// report creates the run (unless it exists) with the missing cases, adds
// every case to the plan and the run, and reports every result, the last
// batch stopping the run (steps 8 and 12-18).
func (r *reporter) report(ctx context.Context, t *target) (Outcome, error) {
	cfg := r.cfg
	var missing []map[string]any
	for _, s := range r.summaries() {
		if _, ok := t.cases[s]; !ok {
			missing = append(missing, map[string]any{"summary": s, "category": t.category, "priority": t.priority,
				"case_status": t.confirmed, "notes": createdBy, "is_automated": true})
		}
	}
	if len(missing) > 0 && (t.category == 0 || t.priority == 0 || t.confirmed == 0) {
		return Outcome{}, fmt.Errorf("cannot create test cases: the product has no category, or there is no priority or CONFIRMED case status")
	}
	var step []client.BatchCall
	var run rec
	if t.run == 0 {
		values := map[string]any{"summary": fmt.Sprintf("%s Results for %s, %s, %s", cfg.Prefix, cfg.Product, cfg.Version, cfg.Build),
			"manager": t.manager, "plan": t.plan, "build": t.build, "start_date": time.Now().Format(time.DateTime), "default_tester": t.manager}
		if cfg.Tester != "" {
			values["default_tester"] = cfg.Tester
		}
		step = append(step, call("TestRun.create", &run, values))
	}
	parts := chunks(missing, func(m map[string]any) int { return len(m["summary"].(string)) + 200 })
	created := make([][]rec, len(parts))
	for i, part := range parts {
		step = append(step, call("TestCase.bulk_create", &created[i], part))
	}
	if err := r.batch(ctx, step...); err != nil {
		return Outcome{}, err
	}
	if t.run == 0 {
		t.run = run.ID
		r.logf("created run %d in plan %d", run.ID, t.plan)
	}
	for _, rows := range created {
		for _, c := range rows {
			t.cases[c.Summary] = c.ID
		}
	}
	ids := make([]int64, 0, len(t.cases))
	for _, s := range r.summaries() {
		ids = append(ids, t.cases[s])
	}
	r.logf("%d cases, %d of them new", len(ids), len(missing))

	step = step[:0]
	executions := make([][]rec, 0, len(ids)/maxItems+1)
	for i := 0; i < len(ids); i += maxItems {
		part := ids[i:min(i+maxItems, len(ids))]
		executions = append(executions, nil)
		step = append(step, call("TestPlan.add_cases", nil, t.plan, part),
			call("TestRun.add_cases", &executions[len(executions)-1], t.run, part))
	}
	if err := r.batch(ctx, step...); err != nil {
		return Outcome{RunID: t.run}, err
	}
	byCase := map[int64][]int64{}
	for _, rows := range executions {
		for _, e := range rows {
			byCase[e.Case] = append(byCase[e.Case], e.ID)
		}
	}
	return r.update(ctx, t, byCase)
}

// update reports every result on its case's executions with
// TestExecution.bulk_update, then stops the run. A case reported twice
// (the same summary) is updated twice, in file order, as the plugin does:
// the repeats go in later calls, since a call lists an execution once.
func (r *reporter) update(ctx context.Context, t *target, byCase map[int64][]int64) (Outcome, error) {
	out := Outcome{RunID: t.run, Counts: map[string]int{}}
	var rounds [][]map[string]any
	seen := map[int64]int{}
	for _, res := range r.results {
		status, err := t.statusID(res.Status)
		if err != nil {
			return out, err
		}
		for _, e := range byCase[t.cases[res.Summary]] {
			item := map[string]any{"id": e, "status": status, "start_date": timestamp(res.Start), "stop_date": timestamp(res.Stop)}
			if res.Comment != nil {
				item["comment"] = truncateComment(*res.Comment)
			}
			if r.cfg.Tester != "" {
				item["tested_by"] = r.cfg.Tester
			}
			round := seen[e]
			seen[e]++
			if round == len(rounds) {
				rounds = append(rounds, nil)
			}
			rounds[round] = append(rounds[round], item)
			out.Executions++
			out.Counts[res.Status]++
			if res.Negative() {
				out.Negative++
			}
		}
	}
	var calls []client.BatchCall
	for _, round := range rounds {
		for _, part := range chunks(round, func(m map[string]any) int { c, _ := m["comment"].(string); return len(c) + 150 }) {
			calls = append(calls, call("TestExecution.bulk_update", nil, part))
		}
	}
	calls = append(calls, call("TestRun.update", nil, t.run, map[string]any{"stop_date": time.Now().Format(time.DateTime)}))
	// Every request stays under about maxBytes: the last bulk update goes
	// with the stop of the run, any earlier one alone.
	for len(calls) > 2 {
		if err := r.batch(ctx, calls[0]); err != nil {
			return out, err
		}
		calls = calls[1:]
	}
	return out, r.batch(ctx, calls...)
}
