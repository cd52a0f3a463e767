"""Hotspots (热点): the same complaint arriving through several channels or from several people within
a few hours — found by segmenting the recent cases with jieba and grouping those that share key
terms (`detect`), kept as `Hotspot` rows (`models`), merged into one case or dismissed by a director
(`services`), shown in the API (`api`) and on pages (`views`)."""
