"""access_*: load after-sales for a user, scoped to what they may see (404 otherwise)."""
from sellerdesk.core.errors import NotFound
from sellerdesk.identity.models import Role

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


def access_aftersale(user, aftersale_id: int, *, lock: bool = False) -> AfterSale:
    """The after-sale `aftersale_id` if `user` may see it. lock=True holds its row until commit
    (the caller must be inside a transaction); it is the first lock any action takes."""
    if not aftersales_visible_to(user).filter(pk=aftersale_id).exists():
        raise NotFound("After-sale not found.", code="not_found")
    # Who may see a request never changes, so the lock can be taken on the bare row.
    qs = AfterSale.objects.select_for_update() if lock else AfterSale.objects
    return qs.get(pk=aftersale_id)


def party_of(user, aftersale: AfterSale):
    """The party `user` acts as on `aftersale`, or None."""
    if user.role == Role.BUYER and aftersale.buyer_id == user.id:
        return Party.BUYER
    if user.role == Role.MERCHANT and aftersale.shop_id in user.shop_ids():
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
        raise NotFound("Attachment not found.")
    return attachment
