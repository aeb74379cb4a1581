from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from octets.api.errors import unknown_endpoint
from octets.api.urls import api
from octets.www.public import views as public_views

admin.site.site_header = "Octets — console de la plateforme"
admin.site.site_title = "Octets"

urlpatterns = [
    path("", public_views.home, name="home"),
    path("", include("octets.www.accounts.urls")),
    path("", include("octets.www.orga.urls")),
    path("", include("octets.www.students.urls")),
    path("", include("octets.www.campaigns.urls")),
    path("", include("octets.www.learner.campaign_urls")),
    path("", include("octets.www.learner.urls")),
    path("", include("octets.www.public.urls")),
    path("", include("octets.www.content.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    re_path(r"^api/", login_not_required(unknown_endpoint)),
]

handler400 = "octets.www.public.views.bad_request"
handler403 = "octets.www.public.views.permission_denied"
handler404 = "octets.www.public.views.page_not_found"
handler500 = "octets.www.public.views.server_error"
