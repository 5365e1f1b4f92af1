package store

import (
	"context"

	"github.com/tcms/tcms/store/internal/db"
)

// Template is a starting text for new test cases, S-Template.
type Template struct {
	ID   int64  `json:"id" db:"id"`
	Name string `json:"name" db:"name"`
	Text string `json:"text" db:"text"`
}

// CreateTemplate adds a template.
func (s *Store) CreateTemplate(ctx context.Context, name, text string) (Template, error) {
	row, err := s.q.TemplateCreate(ctx, db.TemplateCreateParams{Name: name, Text: text})
	return Template(row), translate(err, "Template")
}

var templateEntity = entity(&Entity{Model: "Template", From: "FROM templates tp", Fields: map[string]Field{
	"id": {Expr: "tp.id", Kind: IntField}, "name": {Expr: "tp.name", Kind: TextField},
	"text": {Expr: "tp.text", Kind: TextField},
}})

// FilterTemplates answers a Kiwi query dict over templates, by id.
func (s *Store) FilterTemplates(ctx context.Context, query map[string]any) ([]Template, error) {
	return filterRows(ctx, s, templateEntity, query, (*db.Queries).TemplateFilter, func(r db.Template) Template { return Template(r) })
}
