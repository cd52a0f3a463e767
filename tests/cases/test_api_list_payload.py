"""The case list's shortcuts give what the long way gives: its rows rendered from their attributes
(CaseListSerializer.to_representation) and the filter's categories kept in the cache."""

import pytest
from django.utils import translation
from rest_framework import serializers

from cases.api import CaseListSerializer
from cases.models import Case
from cases.selectors import CASE_LIST_COLUMNS


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_shortcut_renders_what_the_declared_fields_render(make_case, category, language):
    make_case(title="楼上漏水纠纷", category=category)
    bare = make_case(title="工资拖欠")
    Case.objects.filter(pk=bare.pk).update(category=None, next_due_at=None)
    rows = Case.objects.select_related("category__parent", "center").only(*CASE_LIST_COLUMNS)
    assert {case.category_id is None for case in rows} == {True, False}

    with translation.override(language):
        for case in rows:
            fast = CaseListSerializer(case).data
            walked = serializers.ModelSerializer.to_representation(CaseListSerializer(case), case)
            assert dict(fast) == dict(walked)
            assert list(fast) == CaseListSerializer.Meta.fields


def test_the_category_filter_is_kept_per_language_and_forgotten_when_a_category_changes(
    category, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from cases.forms import category_choices_cached

    with translation.override("zh-hans"):
        chinese = category_choices_cached()
    with translation.override("en"):
        english = category_choices_cached()
    with translation.override("zh-hans"), django_assert_num_queries(0):
        assert category_choices_cached() == chinese  # kept
    with django_capture_on_commit_callbacks(execute=True):
        category.name = "楼道排水新名称"
        category.save()

    assert chinese != english
    with translation.override("zh-hans"):
        assert "楼道排水新名称" in str(category_choices_cached())


def test_an_unknown_category_in_the_list_filter_is_a_400_under_its_parameter(api_as, member_at):
    from govcenter.models import Role

    response = api_as(member_at("own", Role.CLERK)).get("/api/v1/cases/?category=no-such-thing")

    assert response.status_code == 400
    assert "no-such-thing" in response.json()["category"][0]
