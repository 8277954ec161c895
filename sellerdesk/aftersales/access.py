"""access_*: load after-sales for a user, scoped to what they may see (404 otherwise)."""

from sellerdesk.core.errors import NotFound
from sellerdesk.identity.models import Role, ShopMembership

from .error_codes import AfterSaleErrorCode as Code
from .models import AfterSale, Attachment, Party, Visibility


def aftersales_visible_to(user):
    if user.role == Role.BUYER:
        return AfterSale.objects.filter(buyer_id=user.id)
    if user.role == Role.MERCHANT:
        return AfterSale.objects.filter(shop_id__in=user.shop_ids())
    if user.role == Role.CS:
        # CS works on disputes; the rest of the after-sales desk is the merchant's business.
        return AfterSale.objects.filter(dispute__isnull=False)
    if user.role == Role.ADMIN:
        return AfterSale.objects.all()
    return AfterSale.objects.none()


def _scoped(user):
    """aftersales_visible_to, but a merchant's shops as a subquery unless already loaded: scoping
    and loading one row is then one statement, not a shop-id query first."""
    if user.role == Role.MERCHANT and not hasattr(user, "_shop_ids"):
        return AfterSale.objects.filter(shop_id__in=ShopMembership.objects.filter(user_id=user.id).values("shop_id"))
    return aftersales_visible_to(user)


def access_aftersale(user, aftersale_id: int, *, lock: bool = False) -> AfterSale:
    """The after-sale `aftersale_id` if `user` may see it (with its shop). lock=True holds its row
    until commit (the caller must be inside a transaction); it is the first lock any action takes.

    One statement both scopes and locks: the row is read, and locked, only if the caller may see
    it; otherwise nothing is locked and the answer is 404, as for a row that does not exist."""
    qs = _scoped(user).select_related("shop").filter(pk=aftersale_id)
    if lock:
        qs = qs.select_for_update(of=("self",))  # the request's row only, never its shop
    aftersale = next(iter(qs), None)  # the primary key: one row or none, no LIMIT needed
    if aftersale is None:
        raise NotFound(Code.NOT_FOUND)
    if user.role == Role.MERCHANT:
        aftersale._member_id = user.id  # party_of: the scope above proved the membership
    return aftersale


def party_of(user, aftersale: AfterSale):
    """The party `user` acts as on `aftersale`, or None."""
    if user.role == Role.BUYER and aftersale.buyer_id == user.id:
        return Party.BUYER
    if user.role == Role.MERCHANT and (
        getattr(aftersale, "_member_id", None) == user.id or aftersale.shop_id in user.shop_ids()
    ):
        return Party.MERCHANT
    if user.role in (Role.CS, Role.ADMIN):
        return Party.CS
    return None


def visible_history(aftersale: AfterSale, party):
    qs = aftersale.history.select_related("actor").prefetch_related("attachments").order_by("id")
    if party != Party.CS:
        qs = qs.filter(visibility=Visibility.ALL)
    return qs


def access_attachment(user, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("aftersale")
        .filter(pk=attachment_id, aftersale__in=aftersales_visible_to(user))
        .first()
    )
    if attachment is None:
        raise NotFound(Code.ATTACHMENT_NOT_FOUND)
    return attachment
