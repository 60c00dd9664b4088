// Placeholder entry, replaced once the storyboard core is merged.
export {};
