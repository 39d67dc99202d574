"""The recruiters' web pages: server-rendered (Jinja2), with light progressive enhancement."""
