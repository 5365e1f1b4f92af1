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

// CreateClassification adds a classification; a taken name is a Conflict.
func (s *Store) CreateClassification(ctx context.Context, name string) (Classification, error) {
	c, err := s.q.ClassificationCreate(ctx, name)
	return Classification(c), translate(err, "Classification")
}

// CreateProduct adds a product with its --default-- category and its
// unspecified version and build, in one statement.
func (s *Store) CreateProduct(ctx context.Context, p NewProduct) (Product, error) {
	row, err := s.q.ProductCreate(ctx, db.ProductCreateParams(p))
	return Product(row), translate(err, "Product")
}

// CreateVersion adds a version of a product with its unspecified build.
func (s *Store) CreateVersion(ctx context.Context, productID int64, value string) (Version, error) {
	row, err := s.q.VersionCreate(ctx, db.VersionCreateParams{Value: value, ProductID: productID})
	return Version(row), translate(err, "Version")
}

// UpdateClassification renames a classification, in one statement.
func (s *Store) UpdateClassification(ctx context.Context, id int64, name string) (Classification, error) {
	row, err := s.q.ClassificationUpdate(ctx, db.ClassificationUpdateParams{ID: id, Name: name})
	return Classification(row), translate(err, "Classification")
}

// ProductPatch holds what Product.update sets; nil keeps a field.
type ProductPatch struct {
	Name, Description *string
	ClassificationID  *int64
}

// UpdateProduct sets the fields of a product the patch gives, in one
// statement.
func (s *Store) UpdateProduct(ctx context.Context, id int64, p ProductPatch) (Product, error) {
	row, err := s.q.ProductUpdate(ctx, db.ProductUpdateParams{ID: id, Name: p.Name, ClassificationID: p.ClassificationID,
		Description: p.Description})
	return Product(row), translate(err, "Product")
}

// UpdateVersion sets a version's value and product (nil keeps them), in
// one statement.
func (s *Store) UpdateVersion(ctx context.Context, id int64, value *string, productID *int64) (Version, error) {
	row, err := s.q.VersionUpdate(ctx, db.VersionUpdateParams{ID: id, Value: value, ProductID: productID})
	return Version(row), translate(err, "Version")
}

// classificationEntity is what Classification.filter may filter on;
// product is Django's default reverse name of Product.classification.
var classificationEntity = entity(&Entity{Model: "Classification", From: "FROM classifications cl",
	Fields: map[string]Field{"id": {Expr: "cl.id", Kind: IntField}, "name": {Expr: "cl.name", Kind: TextField}},
	Relations: map[string]Relation{
		"product": {Expr: "p.id", Exists: "SELECT 1 FROM products p WHERE p.classification_id = cl.id", To: "Product"},
	}})

// FilterClassifications answers Classification.filter, by id.
func (s *Store) FilterClassifications(ctx context.Context, query map[string]any) ([]Classification, error) {
	return filterRows(ctx, s, classificationEntity, query, (*db.Queries).ClassificationFilter,
		func(r db.Classification) Classification { return Classification(r) })
}

// productEntity is what Product.filter may filter on: its columns, its
// classification, and Kiwi's reverse relations category, component,
// version, plan and bug.
var productEntity = entity(&Entity{Model: "Product", From: "FROM products p", Fields: map[string]Field{
	"id": {Expr: "p.id", Kind: IntField}, "name": {Expr: "p.name", Kind: TextField},
	"description": {Expr: "p.description", Kind: TextField},
}, Relations: map[string]Relation{
	"classification": {Expr: "p.classification_id", To: "Classification"},
	"category":       {Expr: "ca.id", Exists: "SELECT 1 FROM categories ca WHERE ca.product_id = p.id", To: "Category"},
	"component":      {Expr: "co.id", Exists: "SELECT 1 FROM components co WHERE co.product_id = p.id", To: "Component"},
	"version":        {Expr: "v.id", Exists: "SELECT 1 FROM versions v WHERE v.product_id = p.id", To: "Version"},
	"plan":           {Expr: "tp.id", Exists: "SELECT 1 FROM test_plans tp WHERE tp.product_id = p.id", To: "TestPlan"},
	"bug":            {Expr: "bg.id", Exists: "SELECT 1 FROM bugs bg WHERE bg.product_id = p.id", To: "Bug"},
}})

// FilterProducts answers Product.filter, by id, in one query.
func (s *Store) FilterProducts(ctx context.Context, query map[string]any) ([]Product, error) {
	return filterRows(ctx, s, productEntity, query, (*db.Queries).ProductFilter, func(r db.Product) Product { return Product(r) })
}

// versionEntity is what Version.filter may filter on: its columns, its
// product, and Kiwi's reverse relations build, plans and bug.
var versionEntity = entity(&Entity{Model: "Version", From: "FROM versions v", Fields: map[string]Field{
	"id": {Expr: "v.id", Kind: IntField}, "value": {Expr: "v.value", Kind: TextField},
}, Relations: map[string]Relation{
	"product": {Expr: "v.product_id", To: "Product"},
	"build":   {Expr: "b.id", Exists: "SELECT 1 FROM builds b WHERE b.version_id = v.id", To: "Build"},
	"plans":   {Expr: "tp.id", Exists: "SELECT 1 FROM test_plans tp WHERE tp.product_version_id = v.id", To: "TestPlan"},
	"bug":     {Expr: "bg.id", Exists: "SELECT 1 FROM bugs bg WHERE bg.version_id = v.id", To: "Bug"},
}})

// FilterVersions answers Version.filter, by product then id, in one query.
func (s *Store) FilterVersions(ctx context.Context, query map[string]any) ([]VersionRow, error) {
	return filterRows(ctx, s, versionEntity, query, (*db.Queries).VersionFilter, func(r db.VersionFilterRow) VersionRow {
		return VersionRow{Version{r.ID, r.Value, r.ProductID}, r.ProductName}
	})
}
