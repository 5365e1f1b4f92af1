package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tcms/tcms/store/internal/db"
)

// TestPlan is S-TestPlan: the ids of the related records under their
// field names.
type TestPlan struct {
	ID               int64     `json:"id" db:"id"`
	Name             string    `json:"name" db:"name"`
	Text             string    `json:"text" db:"text"`
	CreateDate       time.Time `json:"create_date" db:"create_date"`
	IsActive         bool      `json:"is_active" db:"is_active"`
	ExtraLink        *string   `json:"extra_link" db:"extra_link"`
	ProductVersionID int64     `json:"product_version" db:"product_version_id"`
	AuthorID         int64     `json:"author" db:"author_id"`
	ProductID        int64     `json:"product" db:"product_id"`
	TypeID           int64     `json:"type" db:"type_id"`
	ParentID         *int64    `json:"parent" db:"parent_id"`
}

// TestPlanRow is S-TestPlan-f, a TestPlan.filter row.
type TestPlanRow struct {
	TestPlan
	ProductVersionValue string `json:"product_version__value" db:"product_version__value"`
	ProductName         string `json:"product__name" db:"product__name"`
	AuthorUsername      string `json:"author__username" db:"author__username"`
	TypeName            string `json:"type__name" db:"type__name"`
	ChildrenCount       int64  `json:"children__count" db:"children__count"`
}

// NewTestPlan holds what TestPlan.create sets; a nil CreateDate means now.
type NewTestPlan struct {
	Name             string
	Text             string
	CreateDate       *time.Time
	IsActive         bool
	ExtraLink        *string
	ProductVersionID int64
	AuthorID         int64
	ProductID        int64
	TypeID           int64
	ParentID         *int64
}

// TestPlanPatch holds what TestPlan.update sets; nil keeps a field, and
// SetExtraLink and SetParent say whether those nullable fields are given.
type TestPlanPatch struct {
	Name, Text                                    *string
	IsActive                                      *bool
	ProductVersionID, AuthorID, ProductID, TypeID *int64
	SetExtraLink, SetParent                       bool
	ExtraLink                                     *string
	ParentID                                      *int64
}

// TestPlanOwner is the owner string of a plan's attachments (and history rows).
const TestPlanOwner = "testplans_testplan"

// msgLoop is the refusal of a parent that would close a loop, as Kiwi's tree.
const msgLoop = "[('__all__', ['A node cannot be made a descendant of itself.'])]"

// ParseDateTime reads a datetime value as Kiwi's forms do (docs/filters.md):
// a time.Time, or an ISO-8601 string whose wall clock is taken as UTC.
func ParseDateTime(v any) (time.Time, bool) { return toTime(v, false) }

// CreateTestPlan adds a plan, by the caller, with its creation history
// row. The version must belong to the product; the author, one the
// tenant's records may name.
func (s *Store) CreateTestPlan(ctx context.Context, by Principal, p NewTestPlan) (TestPlan, error) {
	var out TestPlan
	err := s.withTx(ctx, func(q *db.Queries) error {
		product, err := q.TestPlanVersionProduct(ctx, p.ProductVersionID)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && product != p.ProductID {
			return Errorf(Invalid, "[('product_version', ['%s'])]", msgInvalidChoice)
		}
		if err != nil {
			return err
		}
		if err := refuseOutsiders(ctx, q, by, []userField{{"author", &p.AuthorID}}); err != nil {
			return err
		}
		row, err := q.TestPlanCreate(ctx, db.TestPlanCreateParams{Name: p.Name, Text: p.Text, CreateDate: p.CreateDate,
			IsActive: p.IsActive, ExtraLink: p.ExtraLink, ProductVersionID: p.ProductVersionID, AuthorID: p.AuthorID,
			ProductID: p.ProductID, TypeID: p.TypeID, ParentID: p.ParentID, HistoryUserID: &by.UserID})
		out = TestPlan(row)
		return err
	})
	return out, translate(err, "TestPlan")
}

// UpdateTestPlan sets the fields of a plan the patch gives and records the
// change in its history. A parent that is the plan or one of its
// descendants is refused.
func (s *Store) UpdateTestPlan(ctx context.Context, by Principal, id int64, p TestPlanPatch) (TestPlan, error) {
	var out TestPlan
	err := s.withTx(ctx, func(q *db.Queries) error {
		if _, err := q.TestPlanLock(ctx, id); err != nil {
			return err
		}
		if err := refuseOutsiders(ctx, q, by, []userField{{"author", p.AuthorID}}); err != nil {
			return err
		}
		if p.SetParent && p.ParentID != nil {
			if err := q.TestPlanTreeLock(ctx); err != nil {
				return err
			}
			loop, err := q.TestPlanIsAncestor(ctx, db.TestPlanIsAncestorParams{AncestorID: id, PlanID: *p.ParentID})
			if err != nil {
				return err
			}
			if loop {
				return Errorf(Invalid, msgLoop)
			}
		}
		row, err := q.TestPlanUpdate(ctx, db.TestPlanUpdateParams{ID: id, Name: p.Name, Text: p.Text, IsActive: p.IsActive,
			SetExtraLink: p.SetExtraLink, ExtraLink: p.ExtraLink, ProductVersionID: p.ProductVersionID, AuthorID: p.AuthorID,
			ProductID: p.ProductID, TypeID: p.TypeID, SetParent: p.SetParent, ParentID: p.ParentID, HistoryUserID: &by.UserID})
		out = TestPlan(row)
		return err
	})
	return out, translate(err, "TestPlan")
}

// testPlanEntity is what TestPlan.filter may filter on: its columns, its
// version, product, author, type and parent, and Kiwi's reverse relations
// children, tag, cases and run.
var testPlanEntity = entity(&Entity{Model: "TestPlan", From: "FROM test_plans tp", Fields: map[string]Field{
	"id": {Expr: "tp.id", Kind: IntField}, "name": {Expr: "tp.name", Kind: TextField},
	"text": {Expr: "tp.text", Kind: TextField}, "create_date": {Expr: "tp.create_date", Kind: TimeField},
	"is_active": {Expr: "tp.is_active", Kind: BoolField}, "extra_link": {Expr: "tp.extra_link", Kind: TextField},
}, Relations: map[string]Relation{
	"product_version": {Expr: "tp.product_version_id", To: "Version"},
	"product":         {Expr: "tp.product_id", To: "Product"},
	"author":          {Expr: "tp.author_id", To: "RelatedUser"},
	"type":            {Expr: "tp.type_id", To: "PlanType"},
	"parent":          {Expr: "tp.parent_id", To: "TestPlan"},
	"children":        {Expr: "ch.id", Exists: "SELECT 1 FROM test_plans ch WHERE ch.parent_id = tp.id", To: "TestPlan"},
	"tag":             {Expr: "tpt.tag_id", Exists: "SELECT 1 FROM test_plan_tags tpt WHERE tpt.plan_id = tp.id", To: "Tag"},
	"cases":           {Expr: "cp.case_id", Exists: "SELECT 1 FROM test_case_plans cp WHERE cp.plan_id = tp.id", To: "TestCase"},
	"run":             {Expr: "r.id", Exists: "SELECT 1 FROM test_runs r WHERE r.plan_id = tp.id", To: "TestRun"},
}})

// FilterTestPlans answers TestPlan.filter, by product then id, in one query.
func (s *Store) FilterTestPlans(ctx context.Context, query map[string]any) ([]TestPlanRow, error) {
	return filterRows(ctx, s, testPlanEntity, query, (*db.Queries).TestPlanFilter, func(r db.TestPlanFilterRow) TestPlanRow {
		return TestPlanRow{TestPlan(r.TestPlan), r.ProductVersionValue, r.ProductName, r.AuthorUsername, r.TypeName, r.ChildrenCount}
	})
}

// TestPlanByID returns one plan as TestPlan.filter shows it.
func (s *Store) TestPlanByID(ctx context.Context, id int64) (TestPlanRow, error) {
	rows, err := s.FilterTestPlans(ctx, map[string]any{"id": id})
	if err == nil && len(rows) == 0 {
		err = Errorf(NotFound, "TestPlan matching query does not exist.")
	}
	if err != nil {
		return TestPlanRow{}, err
	}
	return rows[0], nil
}

// PlanTreeNode is S-PlanTree, one plan of a family.
type PlanTreeNode struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	ParentID  *int64 `json:"parent_id"`
	TreeDepth int32  `json:"tree_depth"`
	URL       string `json:"url"`
}

// TestPlanTree lists the whole family of a plan from its root, depth
// first with children in id order; URLs are https://<domain>/plan/<id>.
func (s *Store) TestPlanTree(ctx context.Context, id int64, domain string) ([]PlanTreeNode, error) {
	rows, err := s.q.TestPlanTree(ctx, id)
	if err == nil && len(rows) == 0 {
		err = Errorf(NotFound, "TestPlan matching query does not exist.")
	}
	if err != nil {
		return nil, translate(err, "TestPlan")
	}
	out := make([]PlanTreeNode, len(rows))
	for i, r := range rows {
		out[i] = PlanTreeNode{ID: r.ID, Name: r.Name, ParentID: r.ParentID, TreeDepth: r.TreeDepth,
			URL: fmt.Sprintf("https://%s/plan/%d", domain, r.ID)}
	}
	return out, nil
}
