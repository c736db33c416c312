"""One module per area of the web app, each a Blueprint `bp` (registered in `webapp.pages`)."""
