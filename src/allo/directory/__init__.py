"""Orientation directory: public offices, communes, distance, opening hours and holidays."""
