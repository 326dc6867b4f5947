"""The commissioners' map: `builder` draws the shortfall map (folium, no tiles needed), `routes`
serves today's shortfall as a page and a CSV file, `forecast` a month ahead."""

from web.commissioner.map.routes import bp

__all__ = ["bp"]
