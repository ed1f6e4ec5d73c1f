"""The new-user form takes no department or role silently from its first option.
covers: REC-02"""
from tests import factories as F


def test_a_new_user_needs_a_chosen_department_and_role(app, client):
    admin = F.user("admin", "CSD")
    F.login(client, admin)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "— 请选择 —" in page
    resp = client.post("/admin/users/new", data={
        "username": "newbie", "full_name": "新人", "password": "a-long-password-1", "department_id": "",
        "role": "", "csrf_token": F.csrf_from(page)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and html.count("请选择。") == 2
