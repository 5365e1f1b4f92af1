package store

import (
	"context"

	"github.com/tcms/tcms/store/internal/db"
)

// Classification groups products, S-Classification.
type Classification struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
}

// Product is S-Product and S-Product-f: classification holds its id.
type Product struct {
	ID               int64  `json:"id" db:"id"`
	Name             string `json:"name" db:"name"`
	ClassificationID int64  `json:"classification" db:"classification_id"`
	Description      string `json:"description" db:"description"`
}

// NewProduct holds what Product.create sets.
type NewProduct struct {
	Name             string
	ClassificationID int64
	Description      string
}

// Version is S-Version: product holds its id.
type Version struct {
	ID        int64  `json:"id" db:"id"`
	Value     string `json:"value" db:"value"`
	ProductID int64  `json:"product" db:"product_id"`
}

// VersionRow is S-Version-f, a Version.filter row.
type VersionRow struct {
	Version
	ProductName string `json:"product__name" db:"product__name"`
}

// one runs a single sqlc query in its own transaction and translates its
// error for model.
func one[T any](ctx context.Context, s *Store, model string, fn func(q *db.Queries) (T, error)) (T, error) {
	var out T
	err := s.withTx(ctx, func(q *db.Queries) (err error) {
		out, err = fn(q)
		return err
	})
	return out, translate(err, model)
}

// CreateClassification adds a classification; a taken name is a Conflict.
func (s *Store) CreateClassification(ctx context.Context, name string) (Classification, error) {
	c, err := one(ctx, s, "Classification", func(q *db.Queries) (db.Classification, error) {
		return q.ClassificationCreate(ctx, name)
	})
	return Classification(c), err
}

// CreateProduct adds a product with its --default-- category and its
// unspecified version and build, in one statement.
func (s *Store) CreateProduct(ctx context.Context, p NewProduct) (Product, error) {
	row, err := one(ctx, s, "Product", func(q *db.Queries) (db.ProductCreateRow, error) {
		return q.ProductCreate(ctx, db.ProductCreateParams(p))
	})
	return Product(row), err
}

// CreateVersion adds a version of a product with its unspecified build.
func (s *Store) CreateVersion(ctx context.Context, productID int64, value string) (Version, error) {
	row, err := one(ctx, s, "Version", func(q *db.Queries) (db.VersionCreateRow, error) {
		return q.VersionCreate(ctx, db.VersionCreateParams{Value: value, ProductID: productID})
	})
	return Version(row), err
}

// classificationEntity is what Classification.filter may filter on;
// product is Django's default reverse name of Product.classification.
var classificationEntity = entity(&Entity{Model: "Classification", Fields: related(map[string]Field{
	"id": {Expr: "cl.id", Kind: IntField}, "name": {Expr: "cl.name", Kind: TextField},
}, "product", "p.id", classificationProducts, map[string]Field{"name": {Expr: "p.name", Kind: TextField}})})

const classificationProducts = "SELECT 1 FROM products p WHERE p.classification_id = cl.id"

// FilterClassifications answers Classification.filter, by id.
func (s *Store) FilterClassifications(ctx context.Context, query map[string]any) ([]Classification, error) {
	return filter[Classification](ctx, s, classificationEntity, "SELECT cl.id, cl.name FROM classifications cl", query, "ORDER BY cl.id")
}

// productEntity is what Product.filter may filter on: its columns, its
// classification, and the reverse relations category, component and
// version. Kiwi's plan and bug relations join in when those tables exist.
var productEntity = entity(&Entity{Model: "Product", Fields: productFilterFields()})

func productFilterFields() map[string]Field {
	f := map[string]Field{
		"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
		"description": {Expr: "p.description", Kind: TextField},
	}
	foreignKey(f, "classification", "p.classification_id", map[string]Field{"name": {Expr: "cl.name", Kind: TextField}})
	related(f, "category", "ca.id", productCategories, map[string]Field{"name": {Expr: "ca.name", Kind: TextField}})
	related(f, "component", "co.id", productComponents, map[string]Field{"name": {Expr: "co.name", Kind: TextField}})
	return related(f, "version", "v.id", productVersions, map[string]Field{"value": {Expr: "v.value", Kind: TextField}})
}

const (
	productCategories = "SELECT 1 FROM categories ca WHERE ca.product_id = p.id"
	productComponents = "SELECT 1 FROM components co WHERE co.product_id = p.id"
	productVersions   = "SELECT 1 FROM versions v WHERE v.product_id = p.id"
)

const productSelect = "SELECT p.id, p.name, p.classification_id, p.description FROM products p JOIN classifications cl ON cl.id = p.classification_id"

// FilterProducts answers Product.filter, by id, in one query.
func (s *Store) FilterProducts(ctx context.Context, query map[string]any) ([]Product, error) {
	return filter[Product](ctx, s, productEntity, productSelect, query, "ORDER BY p.id")
}

// versionEntity is what Version.filter may filter on: its columns, its
// product, and the reverse relation build. Kiwi's plans and bug relations
// join in when those tables exist.
var versionEntity = entity(&Entity{Model: "Version", Fields: related(foreignKey(map[string]Field{
	"id": {Expr: "v.id", Kind: IntField}, "value": {Expr: "v.value", Kind: TextField},
}, "product", "v.product_id", productFields),
	"build", "b.id", versionBuilds, map[string]Field{
		"name": {Expr: "b.name", Kind: TextField}, "is_active": {Expr: "b.is_active", Kind: BoolField}})})

const versionBuilds = "SELECT 1 FROM builds b WHERE b.version_id = v.id"

const versionSelect = "SELECT v.id, v.value, v.product_id, p.name AS product__name FROM versions v JOIN products p ON p.id = v.product_id"

// FilterVersions answers Version.filter, by product then id, in one query.
func (s *Store) FilterVersions(ctx context.Context, query map[string]any) ([]VersionRow, error) {
	return filter[VersionRow](ctx, s, versionEntity, versionSelect, query, "ORDER BY v.product_id, v.id")
}

// productFields are the fields of a product joined as p, for the
// entities with a product foreign key.
var productFields = map[string]Field{
	"name": {Expr: "p.name", Kind: TextField}, "classification": {Expr: "p.classification_id", Kind: IntField},
}

// foreignKey adds a to-one relation held in column col to fields: name,
// name_id and name__id mean the id, as in Django, and name__<k> the
// related row's fields (joined by the entity's row query).
func foreignKey(fields map[string]Field, name, col string, related map[string]Field) map[string]Field {
	for _, path := range []string{name, name + "_id", name + "__id"} {
		fields[path] = Field{Expr: col, Kind: IntField}
	}
	for k, f := range related {
		fields[name+"__"+k] = f
	}
	return fields
}

// related adds a to-many (reverse) relation to fields: name and name__id
// mean a related row's id, idExpr, and name__<k> its fields, all through
// the Exists subquery exists.
func related(fields map[string]Field, name, idExpr, exists string, more map[string]Field) map[string]Field {
	fields[name] = Field{Expr: idExpr, Kind: IntField, Exists: exists}
	fields[name+"__id"] = Field{Expr: idExpr, Kind: IntField, Exists: exists}
	for k, f := range more {
		f.Exists = exists
		fields[name+"__"+k] = f
	}
	return fields
}
