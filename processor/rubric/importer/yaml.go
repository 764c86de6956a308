package importer

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// YAML writes the imported rubric as a rubric file: rubric.Parse reads it
// back and `chiso rubric check` checks it. Each rule has a comment naming
// the decisions behind it; small mappings (inputs, steps, simple rules,
// checks) are written on one line like the shipped rubrics.
func (res *Result) YAML() ([]byte, error) {
	var doc yaml.Node
	if err := doc.Encode(res.Rubric); err != nil {
		return nil, err
	}
	todo := res.Todos
	doc.HeadComment = fmt.Sprintf("Bộ chỉ số nhập bằng `chiso rubric import` từ bảng của tỉnh: %d chỉ số đọc được cách tính, %d chỉ số còn todo.\n"+
		"Việc tiếp theo: sửa từng todo (viết inputs và rule, xóa dòng todo), rồi chạy `chiso rubric check` với tệp này.\n"+
		"Mỗi suy luận của chương trình là một quyết định (decisions) ở cuối tệp; xem lại và sửa nếu văn bản của tỉnh nói khác.", res.Rules, todo)
	style(&doc, "", res.comments)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// style walks the encoded rubric: comments on rules, flow style on small mappings.
func style(n *yaml.Node, parentKey string, comments map[string]string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			style(c, parentKey, comments)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind == yaml.MappingNode {
				switch parentKey {
				case "inputs", "options", "steps", "validate":
					if scalarsOnly(c) {
						c.Style = yaml.FlowStyle
					}
				}
			}
			style(c, parentKey, comments)
		}
	case yaml.MappingNode:
		// Leave out null values ("min: null" of a last step, a missing max).
		kept := n.Content[:0]
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
				continue
			}
			kept = append(kept, n.Content[i], n.Content[i+1])
		}
		n.Content = kept
		code := ""
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "code" {
				code = n.Content[i+1].Value
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "rule" && v.Kind == yaml.MappingNode {
				if c, ok := comments[code]; ok && code != "" && parentKey != "parts" {
					k.HeadComment = c
				}
				if scalarsOnly(v) {
					v.Style = yaml.FlowStyle
				}
			}
			style(v, k.Value, comments)
		}
	}
}

func scalarsOnly(n *yaml.Node) bool {
	for i := 1; i < len(n.Content); i += 2 {
		if n.Content[i].Kind != yaml.ScalarNode {
			return false
		}
	}
	return true
}
