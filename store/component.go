package store

import (
	"context"

	"github.com/tcms/tcms/store/internal/db"
)

// Component is S-Component: product and initial_owner hold ids.
type Component struct {
	ID             int64  `json:"id" db:"id"`
	Name           string `json:"name" db:"name"`
	ProductID      int64  `json:"product" db:"product_id"`
	InitialOwnerID *int64 `json:"initial_owner" db:"initial_owner_id"`
	Description    string `json:"description" db:"description"`
}

// ComponentRow is S-Component-f, a Component.filter row: one per linked
// test case, cases null when none.
type ComponentRow struct {
	Component
	Cases *int64 `json:"cases" db:"cases"`
}

// NewComponent holds what Component.create sets.
type NewComponent struct {
	Name           string
	ProductID      int64
	InitialOwnerID *int64
	Description    string
}

// ComponentPatch holds what Component.update sets; nil keeps a field.
// SetOwner replaces the owner with InitialOwnerID, nil clearing it.
type ComponentPatch struct {
	Name, Description *string
	ProductID         *int64
	SetOwner          bool
	InitialOwnerID    *int64
}

// Category is S-Category, a test case category of a product.
type Category struct {
	ID          int64  `json:"id" db:"id"`
	Name        string `json:"name" db:"name"`
	ProductID   int64  `json:"product" db:"product_id"`
	Description string `json:"description" db:"description"`
}

// Priority is S-Priority.
type Priority struct {
	ID       int64  `json:"id" db:"id"`
	Value    string `json:"value" db:"value"`
	IsActive bool   `json:"is_active" db:"is_active"`
}

// CreateComponent adds a component; the pair (product, name) is unique.
func (s *Store) CreateComponent(ctx context.Context, c NewComponent) (Component, error) {
	if err := s.ownerAllowed(ctx, c.InitialOwnerID); err != nil {
		return Component{}, err
	}
	row, err := s.q.ComponentCreate(ctx, db.ComponentCreateParams(c))
	return Component(row), translate(err, "Component")
}

// UpdateComponent sets the fields of a component the patch gives.
func (s *Store) UpdateComponent(ctx context.Context, id int64, p ComponentPatch) (Component, error) {
	if err := s.ownerAllowed(ctx, p.InitialOwnerID); err != nil {
		return Component{}, err
	}
	row, err := s.q.ComponentUpdate(ctx, db.ComponentUpdateParams{ID: id, Name: p.Name, ProductID: p.ProductID,
		SetOwner: p.SetOwner, InitialOwnerID: p.InitialOwnerID, Description: p.Description})
	return Component(row), translate(err, "Component")
}

// ownerAllowed refuses, as an unknown choice, an initial owner who is not
// a user of the request's tenant (every user is, in the public tenant).
func (s *Store) ownerAllowed(ctx context.Context, owner *int64) error {
	if owner == nil {
		return nil
	}
	if _, err := resolveUserRef(ctx, s.pool, UserRef{Ref: *owner}); err != nil {
		if ErrorKind(err) == Invalid {
			return Errorf(Invalid, "[('initial_owner', ['%s'])]", msgInvalidChoice)
		}
		return err
	}
	return nil
}

// CreateCategory adds a category; the pair (product, name) is unique.
func (s *Store) CreateCategory(ctx context.Context, c Category) (Category, error) {
	row, err := s.q.CategoryCreate(ctx, db.CategoryCreateParams{Name: c.Name, ProductID: c.ProductID, Description: c.Description})
	return Category(row), translate(err, "Category")
}

// CategoryPatch holds what Category.update sets; nil keeps a field.
type CategoryPatch struct {
	Name, Description *string
	ProductID         *int64
}

// UpdateCategory sets the fields of a category the patch gives, in one
// statement.
func (s *Store) UpdateCategory(ctx context.Context, id int64, p CategoryPatch) (Category, error) {
	row, err := s.q.CategoryUpdate(ctx, db.CategoryUpdateParams{ID: id, Name: p.Name, ProductID: p.ProductID, Description: p.Description})
	return Category(row), translate(err, "Category")
}

// CreatePriority adds a priority; values are unique.
func (s *Store) CreatePriority(ctx context.Context, value string, isActive bool) (Priority, error) {
	row, err := s.q.PriorityCreate(ctx, db.PriorityCreateParams{Value: value, IsActive: isActive})
	return Priority(row), translate(err, "Priority")
}

// componentEntity is what Component.filter may filter on. cases names
// the link row of ComponentFilter's join, not an EXISTS subquery: as in
// Django, where values() reuses the join of the filter, {"cases": 5}
// keeps the row whose case is 5.
var componentEntity = entity(&Entity{Model: "Component", From: "FROM components c", Fields: map[string]Field{
	"id": {Expr: "c.id", Kind: IntField}, "name": {Expr: "c.name", Kind: TextField},
	"description": {Expr: "c.description", Kind: TextField},
}, Relations: map[string]Relation{
	"product":       {Expr: "c.product_id", To: "Product"},
	"initial_owner": {Expr: "c.initial_owner_id", To: "RelatedUser"},
	"cases":         {Expr: "cc.case_id", Join: "LEFT JOIN test_case_components cc ON cc.component_id = c.id", To: "TestCase"},
}})

// FilterComponents answers Component.filter, by id, in one query.
func (s *Store) FilterComponents(ctx context.Context, query map[string]any) ([]ComponentRow, error) {
	return filterRows(ctx, s, componentEntity, query, (*db.Queries).ComponentFilter, func(r db.ComponentFilterRow) ComponentRow {
		return ComponentRow{Component(r.Component), r.Cases}
	})
}

// categoryEntity is what Category.filter may filter on: its columns, its
// product and Kiwi's reverse relation category_case (its test cases).
var categoryEntity = entity(&Entity{Model: "Category", From: "FROM categories ca", Fields: map[string]Field{
	"id": {Expr: "ca.id", Kind: IntField}, "name": {Expr: "ca.name", Kind: TextField},
	"description": {Expr: "ca.description", Kind: TextField},
}, Relations: map[string]Relation{
	"product":       {Expr: "ca.product_id", To: "Product"},
	"category_case": {Expr: "tc.id", Exists: "SELECT 1 FROM test_cases tc WHERE tc.category_id = ca.id", To: "TestCase"},
}})

// FilterCategories answers Category.filter, by id, in one query.
func (s *Store) FilterCategories(ctx context.Context, query map[string]any) ([]Category, error) {
	return filterRows(ctx, s, categoryEntity, query, (*db.Queries).CategoryFilter, func(r db.Category) Category { return Category(r) })
}

// priorityEntity is what Priority.filter may filter on: its columns and
// Kiwi's reverse relation priority_case (its test cases).
var priorityEntity = entity(&Entity{Model: "Priority", From: "FROM priorities pr", Fields: map[string]Field{
	"id": {Expr: "pr.id", Kind: IntField}, "value": {Expr: "pr.value", Kind: TextField},
	"is_active": {Expr: "pr.is_active", Kind: BoolField},
}, Relations: map[string]Relation{
	"priority_case": {Expr: "tc.id", Exists: "SELECT 1 FROM test_cases tc WHERE tc.priority_id = pr.id", To: "TestCase"},
}})

// FilterPriorities answers Priority.filter, by id.
func (s *Store) FilterPriorities(ctx context.Context, query map[string]any) ([]Priority, error) {
	return filterRows(ctx, s, priorityEntity, query, (*db.Queries).PriorityFilter, func(r db.Priority) Priority { return Priority(r) })
}
