// Package ooxml reads and patches Excel workbooks (.xlsx, .xlsm) by
// streaming their XML, within limits set against hostile files.
package ooxml
