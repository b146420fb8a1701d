from django import template

from ysh.portal import formatting

register = template.Library()

register.filter("cnpj", formatting.format_cnpj)
register.filter("cpf", formatting.format_cpf)
register.filter("cep", formatting.format_cep)
register.filter("phone", formatting.format_phone)
register.filter("brl", formatting.format_brl)
register.filter("iso_date", formatting.format_iso_date)
