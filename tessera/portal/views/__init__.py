"""The portal's pages, one module per feature; ``portal/urls.py`` names them."""
