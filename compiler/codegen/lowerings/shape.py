"""(lowerings being added)"""
