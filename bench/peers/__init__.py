"""The designs herinnering is measured against, written as their users would write them."""
