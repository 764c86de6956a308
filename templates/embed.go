// Package templates embeds the shipped rubric files (one YAML file per
// rubric set) so the binary works with no files beside it. See README.md in
// this folder for the file format.
package templates

import "embed"

// FS holds the shipped rubric files.
//
//go:embed *.yaml
var FS embed.FS
