"""The demo (`herinnering demo`) and the workplace scene the screenshots and browser tests use."""
