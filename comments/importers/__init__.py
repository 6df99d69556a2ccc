"""Moving comments in and out: WordPress (WXR) and Disqus imports, and a WordPress export.

Each importer parses its file into plain data first (`wordpress.Post`, `disqus.Thread`),
then `common.write_comments` writes one article's comments, parents before children, in
bulk. The XML is always streamed through defusedxml (no entity expansion, no external
entities), and every error is one line naming the line and column.
"""
