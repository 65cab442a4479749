"""The desk's pages, one module per feature; ``desk/urls.py`` names them."""
